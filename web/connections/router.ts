import { Router, type Request } from 'express';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import { markDisconnected } from '../../db/accounts.js';
import { createCredentialStore } from '../../db/credentials.js';
import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import { PLATFORM_NAMES, type PlatformAdapter, type PlatformId } from '../../platforms/types.js';
import { accountWorkflowId, disconnectUpdate, refreshNowUpdate } from '../../workflows/account/messages.js';
import type { AccountWorkflowTarget } from '../accounts/workflow-client.js';
import { requireUser } from '../auth/guards.js';
import { releaseSlot, slotHolderFor } from '../plans/slots.js';
import { flash, renderNotFound, renderPage } from '../respond.js';
import { loadConnectionsPage, pillFor } from './page-model.js';
import { premiumCheckRoute, takePremiumCheck } from './premium.js';
import { scheduledPostsAffectedBy } from './scheduled-posts.js';

// The Connections page, and the per-account actions on it: renew now (the loop icon) and
// disconnect (the ×, after a confirmation page). Both ask the account's workflow and show its answer.

export interface ConnectionsDeps {
  config: Config;
  models: Models;
  adapters: Partial<Record<PlatformId, PlatformAdapter>>;
  workflows: AccountWorkflowTarget;
}

const idParam = z.object({ id: z.string().min(1).max(100) });

/** What a refused or failed update says, in the workflow's words. */
function updateFailureMessage(error: unknown): string | undefined {
  if (error instanceof WorkflowUpdateFailedError) return error.cause?.message ?? error.message;
  return undefined;
}

export function connectionsRouter(deps: ConnectionsDeps): Router {
  const router = Router();
  const store = createCredentialStore(deps.models, deps.config.tokenEncryptionKey);
  router.use(requireUser);

  const ownedAccount = async (req: Request): Promise<Account | undefined> => {
    const params = idParam.safeParse(req.params);
    if (!params.success) return undefined;
    return (await deps.models.Account.findOne({ _id: params.data.id, ownerId: req.user!.id, disconnectedAt: { $exists: false } }).lean()) ?? undefined;
  };
  const who = (account: Account) => `@${account.handle.replace(/^@/, '')} on ${PLATFORM_NAMES[account.platform]}`;

  router.get('/', async (req, res) => {
    const page = await loadConnectionsPage(deps, { ownerId: req.user!.id, penNameId: req.penName!.id });
    await renderPage(res, 'connections/index', { title: 'Connections', ...page, premiumCheck: takePremiumCheck(req) });
  });

  router.post('/premium', premiumCheckRoute(deps));

  router.post('/:id/refresh', async (req, res) => {
    const account = await ownedAccount(req);
    if (!account) return renderNotFound(res, 'connected account');
    const handle = deps.workflows.client.workflow.getHandle(accountWorkflowId(account._id));
    try {
      const result = await handle.executeUpdate(refreshNowUpdate);
      flash(req, result.state.status === 'active' && !result.state.reason ? 'info' : 'error', `${who(account)}: ${result.outcome}`);
    } catch (error) {
      const message = updateFailureMessage(error) ?? (error instanceof WorkflowNotFoundError ? 'its lifecycle is not running; reconnect it.' : undefined);
      if (!message) throw error;
      flash(req, 'error', `${who(account)} was not renewed: ${message}`);
    }
    res.redirect(303, '/connections');
  });

  router.get('/:id/disconnect', async (req, res) => {
    const account = await ownedAccount(req);
    if (!account) return renderNotFound(res, 'connected account');
    const posts = await scheduledPostsAffectedBy(deps.models, account._id);
    await renderPage(res, 'connections/disconnect', { title: 'Disconnect', account: pillFor(account), platformName: PLATFORM_NAMES[account.platform], posts });
  });

  router.post('/:id/disconnect', async (req, res) => {
    const account = await ownedAccount(req);
    if (!account) return renderNotFound(res, 'connected account');
    const message = await disconnect(account);
    await releaseSlot(deps.models, { ownerId: account.ownerId, holder: slotHolderFor(account) });
    flash(req, 'info', `Disconnected ${who(account)}. ${message}`);
    res.redirect(303, '/connections');
  });

  async function disconnect(account: Account): Promise<string> {
    const handle = deps.workflows.client.workflow.getHandle(accountWorkflowId(account._id));
    try {
      const result = await handle.executeUpdate(disconnectUpdate);
      return result.message;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        // No lifecycle ever ran for it: nothing else holds the account, so forget it here.
        await store.deleteCredentials(account._id);
        await markDisconnected(deps.models, account._id, new Date());
        return 'Its stored credentials were deleted.';
      }
      const message = updateFailureMessage(error);
      if (!message) throw error;
      return message;
    }
  }

  return router;
}

