import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Models } from '../../db/models/index.js';
import { emailPreferencesOf } from '../../db/models/user.js';
import { listNotifications, markAllRead, markRead } from '../../db/notifications.js';
import { setEmailPreferences, storedEmailPreferences } from '../../db/users.js';
import { requireUser } from '../auth/guards.js';
import { scopeOf } from '../pen-names/context.js';
import { readerOf } from '../reader.js';
import { fieldErrors, flash, renderInvalid, renderNotFound, renderPage } from '../respond.js';
import { notificationRow } from './page-model.js';
import { PREFERENCE_GROUPS, PREFERENCE_LABELS, preferencesBody, toEmailPreferences } from './preferences.js';

// Notifications of the pen name being worked in (list, mark read) at /notifications, and the
// user's email preferences at /settings/notifications. Mounted at the root.

/** The page shows this many: all unread ones first (newest first), then the newest read ones. */
export const NOTIFICATIONS_SHOWN = 50;

const idParam = z.object({ id: z.string().min(1, { message: 'is required' }).max(200, { message: 'is not a notification id' }) });

export function notificationsRouter(deps: { models: Models; clock?: () => Date }): Router {
  const { models } = deps;
  const clock = deps.clock ?? (() => new Date());

  const list = Router();
  list.use(requireUser);

  list.get('/', async (req, res) => {
    const { items, total } = await listNotifications(models, scopeOf(req), NOTIFICATIONS_SHOWN);
    const reader = readerOf(req);
    await renderPage(res, 'notifications/index', {
      title: 'Notifications',
      notifications: items.map((notification) => notificationRow(notification, reader)),
      total,
      shown: NOTIFICATIONS_SHOWN,
    });
  });

  list.post('/read-all', async (req, res) => {
    const marked = await markAllRead(models, scopeOf(req), clock());
    flash(req, 'info', marked === 0 ? 'Nothing was unread.' : `Marked ${marked} notification${marked === 1 ? '' : 's'} read.`);
    res.redirect(303, '/notifications');
  });

  list.post('/:id/read', async (req, res) => {
    const params = idParam.safeParse(req.params);
    if (!params.success) {
      return renderInvalid(res, 'error', { errors: fieldErrors(params.error, { id: 'Notification id' }), locals: { title: 'Bad request', heading: 'Could not mark read' } });
    }
    if ((await markRead(models, scopeOf(req), params.data.id, clock())) === 'not-found') return renderNotFound(res, 'notification');
    res.redirect(303, '/notifications');
  });

  const settings = Router();
  settings.use(requireUser);

  const renderSettings = async (res: Response, preferences: Record<string, boolean>, extra: { errors?: Record<string, string>; status?: number } = {}) => {
    await renderPage(res, 'notifications/settings', { title: 'Email notifications', groups: PREFERENCE_GROUPS, preferences, errors: extra.errors ?? {} }, extra.status);
  };

  settings.get('/', async (req, res) => {
    await renderSettings(res, emailPreferencesOf(await storedEmailPreferences(models, req.user!.id)));
  });

  settings.post('/', async (req, res) => {
    const body = preferencesBody.safeParse(req.body ?? {});
    if (!body.success) {
      // Show the boxes as posted, so fixing one field does not undo the others.
      const posted = Object.fromEntries(Object.keys(PREFERENCE_LABELS).map((kind) => [kind, req.body?.[kind] !== undefined]));
      return renderSettings(res, posted, { errors: fieldErrors(body.error, PREFERENCE_LABELS), status: 400 });
    }
    await setEmailPreferences(models, req.user!.id, toEmailPreferences(body.data));
    flash(req, 'info', 'Email preferences saved. Every notification still appears on the Notifications page.');
    res.redirect(303, '/settings/notifications');
  });

  const router = Router();
  router.use('/notifications', list);
  router.use('/settings/notifications', settings);
  return router;
}
