import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Models } from '../../db/models/index.js';
import type { AccountWorkflowTarget } from '../../services/account-workflows/target.js';
import { renamePenNameEverywhere } from '../../services/pen-names/rename.js';
import { requireUser } from '../auth/guards.js';
import { PEN_NAME_RULE } from '../auth/schemas.js';
import { fieldErrors, flash, renderInvalid, renderNotFound, renderPage, safeLocalPath } from '../respond.js';
import { createPenName, findPenName, listPenNames, removePenName } from '../../db/pen-names.js';

// Pen names: list, create, rename, delete, and the header's switcher.

const LABELS = { name: 'Pen name', penNameId: 'Pen name', id: 'Pen name id', next: 'Next page' };
const idParam = z.object({ id: z.uuid({ message: 'must be a pen name id' }) });
const nameBody = z.object({ name: PEN_NAME_RULE });
const switchBody = z.object({ penNameId: z.uuid({ message: 'must be a pen name id' }), next: z.string().max(2000).optional() });

type ListExtras = { errors?: Record<string, string>; values?: Record<string, unknown>; status?: number };

export function penNamesRouter(deps: { models: Models; workflows: AccountWorkflowTarget }): Router {
  const router = Router();
  router.use(requireUser);

  const renderList = async (req: Request, res: Response, extra: ListExtras = {}) => {
    const list = (await listPenNames(deps.models, req.user!.id)).map((p) => ({ id: p._id, name: p.name }));
    await renderPage(res, 'pen-names/index', { title: 'Pen names', list, ...extra }, extra.status);
  };

  router.get('/', (req, res) => renderList(req, res));

  router.post('/', async (req, res) => {
    const body = nameBody.safeParse(req.body ?? {});
    if (!body.success) return renderList(req, res, { errors: fieldErrors(body.error, LABELS), values: { name: typeof req.body?.name === 'string' ? req.body.name : '' }, status: 400 });
    const created = await createPenName(deps.models, req.user!.id, body.data.name);
    if (!created.ok) return renderList(req, res, { errors: { name: `Pen name: you already have one called "${body.data.name}".` }, values: { name: body.data.name }, status: 400 });
    req.session.penNameId = created.penName._id;
    flash(req, 'info', `Created "${created.penName.name}"; you are now working in it.`);
    res.redirect(303, '/connections');
  });

  router.post('/switch', async (req, res) => {
    const body = switchBody.safeParse(req.body ?? {});
    if (!body.success) return renderInvalid(res, 'error', { errors: fieldErrors(body.error, LABELS), locals: { title: 'Bad request', heading: 'Could not switch pen name' } });
    const penName = await findPenName(deps.models, req.user!.id, body.data.penNameId);
    if (!penName) return renderNotFound(res, 'pen name');
    req.session.penNameId = penName._id;
    res.redirect(303, safeLocalPath(body.data.next, '/connections'));
  });

  router.post('/:id/rename', async (req, res) => {
    const params = idParam.safeParse(req.params);
    if (!params.success) return renderInvalid(res, 'error', { errors: fieldErrors(params.error, LABELS), locals: { title: 'Bad request', heading: 'Could not rename' } });
    if (!(await findPenName(deps.models, req.user!.id, params.data.id))) return renderNotFound(res, 'pen name');
    const body = nameBody.safeParse(req.body ?? {});
    if (!body.success) return renderList(req, res, { errors: { [`rename-${params.data.id}`]: fieldErrors(body.error, LABELS).name ?? 'Pen name: invalid' }, status: 400 });
    const renamed = await renamePenNameEverywhere(deps, req.user!.id, params.data.id, body.data.name);
    if (!renamed.ok && renamed.problem === 'not-found') return renderNotFound(res, 'pen name');
    if (!renamed.ok) return renderList(req, res, { errors: { [`rename-${params.data.id}`]: `Pen name: you already have one called "${body.data.name}".` }, status: 400 });
    flash(req, renamed.failed > 0 ? 'error' : 'info', renamed.message);
    res.redirect(303, '/pen-names');
  });

  router.post('/:id/delete', async (req, res) => {
    const params = idParam.safeParse(req.params);
    if (!params.success) return renderInvalid(res, 'error', { errors: fieldErrors(params.error, LABELS), locals: { title: 'Bad request', heading: 'Could not delete' } });
    const removed = await removePenName(deps.models, req.user!.id, params.data.id);
    if (!removed.ok && removed.problem === 'not-found') return renderNotFound(res, 'pen name');
    if (!removed.ok) {
      const message =
        removed.problem === 'last'
          ? 'Pen name: this is your only pen name; create another before deleting it.'
          : `Pen name: it has ${removed.accounts} connected account${removed.accounts === 1 ? '' : 's'}; disconnect them first.`;
      return renderList(req, res, { errors: { [`delete-${params.data.id}`]: message }, status: 409 });
    }
    if (req.session.penNameId === params.data.id) req.session.penNameId = undefined;
    flash(req, 'info', 'Pen name deleted.');
    res.redirect(303, '/pen-names');
  });

  return router;
}
