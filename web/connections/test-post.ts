import type { Request, Response } from 'express';
import type { Account } from '../../db/models/account.js';
import { displayHandle } from '../../platforms/handle.js';
import { PLATFORM_NAMES } from '../../platforms/types.js';
import { sendTestPost } from '../../services/accounts/test-post.js';
import type { TestPostResult } from '../../workflows/account/messages.js';
import type { AccountPagesDeps } from '../deps.js';
import { checkTargets } from '../posts/compose.js';
import { renderPage } from '../respond.js';

// "Send test post": a short post published right away through the account's workflow, so a user
// can see that a new connection really publishes. The outcome is shown on its own page.

export function testPostText(account: Pick<Account, 'handle'>, now: Date): string {
  return `Testing Tether with ${displayHandle(account.handle)} — ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** POST /connections/:id/test-post for an account the user owns. */
export function sendTestPostRoute(deps: AccountPagesDeps) {
  return async (_req: Request, res: Response, account: Account): Promise<void> => {
    const now = new Date();
    const text = testPostText(account, now);
    const show = (result: TestPostResult) =>
      renderPage(res, 'connections/test-post', { title: 'Test post', account: { id: account._id, handle: account.handle }, platformName: PLATFORM_NAMES[account.platform], text, result });
    const problems = Object.values(checkTargets(deps.adapters, { text }, [{ account }]));
    if (problems.length > 0) {
      return show({ outcome: 'failed', reason: { code: 'not_postable', message: `A text-only test post cannot be sent: ${problems.join('; ')}` } });
    }
    await show(await sendTestPost(deps, account, text, now));
  };
}
