import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { findConnectedAccount } from '../../db/accounts.js';
import type { Account } from '../../db/models/account.js';
import { postsWaitingOn } from '../../db/posts.js';
import { displayHandle } from '../../platforms/handle.js';
import { PLATFORM_NAMES } from '../../platforms/types.js';
import { AccountWorkflowClient } from '../../services/account-workflows/client.js';
import { refusalText } from '../../services/account-workflows/refusal.js';
import { disconnectAccount } from '../../services/accounts/disconnect-account.js';
import { formatDateTime, phraseRefreshOutcome, phraseRevokeOutcome } from '../../services/phrasing/index.js';
import { requireUser } from '../auth/guards.js';
import type { AccountPagesDeps } from '../deps.js';
import { scopeOf } from '../pen-names/context.js';
import { readerOf } from '../reader.js';
import { flash, renderNotFound, renderPage } from '../respond.js';
import { decideOverdue, renderOverdue } from './overdue.js';
import { loadConnectionsPage, pillFor, reconnectUrlFor } from './page-model.js';
import { premiumCheckRoute, takePremiumCheck } from './premium.js';
import { sendTestPostRoute } from './test-post.js';

// The Connections page, and the per-account actions on it: renew now (the loop icon) and
// disconnect (the ×, after a confirmation page). Both ask the account's workflow and show its answer.

export type ConnectionsDeps = AccountPagesDeps;

const idParam = z.object({ id: z.string().min(1).max(100) });
/** A disconnect confirmation lists at most this many of the posts it would fail. */
const AFFECTED_POSTS_LISTED = 50;

export function connectionsRouter(deps: ConnectionsDeps): Router {
  const router = Router();
  const accounts = new AccountWorkflowClient(deps.workflows);
  router.use(requireUser);

  /** A handler for `/:id/...` that runs only for a connected account of this user and pen name; any other id is a 404. */
  const withOwnedAccount =
    (handler: (req: Request, res: Response, account: Account) => Promise<void>) =>
    async (req: Request, res: Response): Promise<void> => {
      const params = idParam.safeParse(req.params);
      const account = params.success ? await findConnectedAccount(deps.models, scopeOf(req), params.data.id) : undefined;
      if (!account) return renderNotFound(res, 'connected account');
      await handler(req, res, account);
    };
  const who = (account: Account) => `${displayHandle(account.handle)} on ${PLATFORM_NAMES[account.platform]}`;

  router.get('/', async (req, res) => {
    const page = await loadConnectionsPage(deps, { ...scopeOf(req), plan: req.user!.plan, reader: readerOf(req) });
    await renderPage(res, 'connections/index', { title: 'Connections', ...page, premiumCheck: takePremiumCheck(req) });
  });

  router.post('/premium', premiumCheckRoute(deps));

  router.post('/:id/refresh', withOwnedAccount(async (req, res, account) => {
    const answer = await accounts.refreshNow(account._id);
    if (answer.ok) {
      const { state } = answer.value;
      const words = phraseRefreshOutcome(answer.value, { ...readerOf(req), platform: account.platform });
      flash(req, state.status === 'active' && !state.reason ? 'info' : 'error', `${who(account)}: ${words}`);
    } else {
      flash(req, 'error', `${who(account)} was not renewed: ${refusalText(answer.refusal)}`);
    }
    res.redirect(303, '/connections');
  }));

  // Notifications link here: the platform's reconnect flow for this account.
  router.get('/:id/reconnect', withOwnedAccount(async (req, res, account) => {
    res.redirect(303, reconnectUrlFor(account));
  }));

  router.post('/:id/test-post', withOwnedAccount(sendTestPostRoute(deps)));

  router.get('/:id/overdue', withOwnedAccount((req, res, account) => renderOverdue(deps, req, res, account)));

  router.post('/:id/overdue', withOwnedAccount((req, res, account) => decideOverdue(deps, req, res, account)));

  router.get('/:id/disconnect', withOwnedAccount(async (req, res, account) => {
    const reader = readerOf(req);
    const posts = (await postsWaitingOn(deps.models, account._id, AFFECTED_POSTS_LISTED)).map((post) => ({ excerpt: post.excerpt, scheduledFor: formatDateTime(post.scheduledFor, reader.timeZone) }));
    await renderPage(res, 'connections/disconnect', { title: 'Disconnect', account: pillFor(account, reader), platformName: PLATFORM_NAMES[account.platform], posts });
  }));

  router.post('/:id/disconnect', withOwnedAccount(async (req, res, account) => {
    const { answer, failedPosts } = await disconnectAccount(deps, account);
    const message = answer.ok
      ? phraseRevokeOutcome(answer.value.revoke, account.platform)
      : answer.refusal.kind === 'notRunning'
        ? 'Its stored credentials were deleted.'
        : refusalText(answer.refusal);
    flash(req, 'info', `Disconnected ${who(account)}. ${message}${failedPosts > 0 ? ` ${failedPosts} scheduled post${failedPosts === 1 ? '' : 's'} for it failed.` : ''}`);
    res.redirect(303, '/connections');
  }));

  return router;
}
