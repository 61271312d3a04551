import { Router, type Request, type Response } from 'express';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import { forgetAccount } from '../../db/accounts.js';
import { createCredentialStore } from '../../db/credentials.js';
import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import { PLATFORM_NAMES, type PlatformAdapter, type PlatformId } from '../../platforms/types.js';
import { accountWorkflowId, disconnectUpdate, refreshNowUpdate } from '../../workflows/account/messages.js';
import { workflowRefusal, type AccountWorkflowTarget } from '../accounts/workflow-client.js';
import { requireUser } from '../auth/guards.js';
import { scopeOf } from '../pen-names/context.js';
import { flash, renderNotFound, renderPage } from '../respond.js';
import { loadConnectionsPage, pillFor } from './page-model.js';
import { premiumCheckRoute, takePremiumCheck } from './premium.js';
import { decideOverdue, renderOverdue } from './overdue.js';
import { scheduledPostsAffectedBy } from './scheduled-posts.js';
import { sendTestPost } from './test-post.js';
import { failWaitingTargetsOf } from '../../db/posts.js';
import { ACCOUNT_DISCONNECTED } from '../../workflows/publishing/queue.js';
import { displayHandle } from '../../platforms/handle.js';

// The Connections page, and the per-account actions on it: renew now (the loop icon) and
// disconnect (the ×, after a confirmation page). Both ask the account's workflow and show its answer.

export interface ConnectionsDeps {
  config: Config;
  models: Models;
  adapters: Partial<Record<PlatformId, PlatformAdapter>>;
  workflows: AccountWorkflowTarget;
}

const idParam = z.object({ id: z.string().min(1).max(100) });

export function connectionsRouter(deps: ConnectionsDeps): Router {
  const router = Router();
  const store = createCredentialStore(deps.models, deps.config.tokenEncryptionKey);
  router.use(requireUser);

  const ownedAccount = async (req: Request): Promise<Account | undefined> => {
    const params = idParam.safeParse(req.params);
    if (!params.success) return undefined;
    return (await deps.models.Account.findOne({ _id: params.data.id, ...scopeOf(req), disconnectedAt: { $exists: false } }).lean()) ?? undefined;
  };
  /** A handler for `/:id/...` that runs only for a connected account of this user and pen name; any other id is a 404. */
  const withOwnedAccount =
    (handler: (req: Request, res: Response, account: Account) => Promise<void>) =>
    async (req: Request, res: Response): Promise<void> => {
      const account = await ownedAccount(req);
      if (!account) return renderNotFound(res, 'connected account');
      await handler(req, res, account);
    };
  const who = (account: Account) => `${displayHandle(account.handle)} on ${PLATFORM_NAMES[account.platform]}`;

  router.get('/', async (req, res) => {
    const page = await loadConnectionsPage(deps, { ...scopeOf(req), plan: req.user!.plan });
    await renderPage(res, 'connections/index', { title: 'Connections', ...page, premiumCheck: takePremiumCheck(req) });
  });

  router.post('/premium', premiumCheckRoute(deps));

  router.post('/:id/refresh', withOwnedAccount(async (req, res, account) => {
    const handle = deps.workflows.client.workflow.getHandle(accountWorkflowId(account._id));
    try {
      const result = await handle.executeUpdate(refreshNowUpdate);
      flash(req, result.state.status === 'active' && !result.state.reason ? 'info' : 'error', `${who(account)}: ${result.outcome}`);
    } catch (error) {
      const message = workflowRefusal(error);
      if (!message) throw error;
      flash(req, 'error', `${who(account)} was not renewed: ${message}`);
    }
    res.redirect(303, '/connections');
  }));

  // Notifications link here: the platform's reconnect flow for this account.
  router.get('/:id/reconnect', withOwnedAccount(async (req, res, account) => {
    res.redirect(303, pillFor(account).reconnectUrl);
  }));

  router.post('/:id/test-post', withOwnedAccount(async (req, res, account) => {
    await sendTestPost(deps, req, res, account);
  }));

  router.get('/:id/overdue', withOwnedAccount(async (req, res, account) => {
    await renderOverdue(deps, req, res, account);
  }));

  router.post('/:id/overdue', withOwnedAccount(async (req, res, account) => {
    await decideOverdue(deps, req, res, account);
  }));

  router.get('/:id/disconnect', withOwnedAccount(async (req, res, account) => {
    const posts = await scheduledPostsAffectedBy(deps.models, account._id);
    await renderPage(res, 'connections/disconnect', { title: 'Disconnect', account: pillFor(account), platformName: PLATFORM_NAMES[account.platform], posts });
  }));

  router.post('/:id/disconnect', withOwnedAccount(async (req, res, account) => {
    const { message, affectedPosts } = await disconnect(account);
    // The workflow failed the posts it held; any it never received (a crash before queueing) fail here too.
    const stragglers = await failWaitingTargetsOf(deps.models, account._id, ACCOUNT_DISCONNECTED, new Date());
    const failed = affectedPosts + stragglers;
    flash(req, 'info', `Disconnected ${who(account)}. ${message}${failed > 0 ? ` ${failed} scheduled post${failed === 1 ? '' : 's'} for it failed.` : ''}`);
    res.redirect(303, '/connections');
  }));

  async function disconnect(account: Account): Promise<{ message: string; affectedPosts: number }> {
    const handle = deps.workflows.client.workflow.getHandle(accountWorkflowId(account._id));
    try {
      const result = await handle.executeUpdate(disconnectUpdate);
      return { message: result.message, affectedPosts: result.affectedPosts };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        // No lifecycle ever ran for it: nothing else holds the account, so forget it here.
        await forgetAccount(deps.models, store, account, new Date());
        return { message: 'Its stored credentials were deleted.', affectedPosts: 0 };
      }
      const message = workflowRefusal(error);
      if (!message) throw error;
      return { message, affectedPosts: 0 };
    }
  }

  return router;
}

