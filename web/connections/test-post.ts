import type { Request, Response } from 'express';
import { createPost, recordFailed } from '../../db/posts.js';
import type { Account } from '../../db/models/account.js';
import { targetIdOf } from '../../db/models/post-target.js';
import { PLATFORM_NAMES } from '../../platforms/types.js';
import { accountWorkflowId, testPostUpdate, type TestPostResult } from '../../workflows/account/messages.js';
import { renderPage } from '../respond.js';
import { workflowRefusal } from '../accounts/workflow-client.js';
import { checkTargets } from '../posts/compose.js';
import type { ConnectionsDeps } from './router.js';
import { displayHandle } from '../../platforms/handle.js';

// "Send test post": a short post published right away through the account's workflow, so a user
// can see that a new connection really publishes. The outcome is shown on its own page.

export function testPostText(account: Pick<Account, 'handle'>, now: Date): string {
  return `Testing Tether with ${displayHandle(account.handle)} — ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export async function sendTestPost(deps: ConnectionsDeps, req: Request, res: Response, account: Account): Promise<void> {
  const now = new Date();
  const text = testPostText(account, now);
  const platformName = PLATFORM_NAMES[account.platform];
  const problems = Object.values(checkTargets(deps.adapters, { text }, [{ account }]));
  const show = (result: TestPostResult, status = 200) =>
    renderPage(res, 'connections/test-post', { title: 'Test post', account: { id: account._id, handle: account.handle }, platformName, text, result }, status);
  if (problems.length > 0) {
    return show({ outcome: 'failed', reason: { code: 'not_postable', message: `A text-only test post cannot be sent: ${problems.join('; ')}` } });
  }
  const post = await createPost(
    deps.models,
    {
      ownerId: account.ownerId,
      penNameId: account.penNameId,
      kind: 'test',
      text,
      timeZone: 'UTC',
      publishAt: now,
      targets: [{ accountId: account._id, platform: account.platform, handle: account.handle }],
    },
    now,
  );
  try {
    const handle = deps.workflows.client.workflow.getHandle(accountWorkflowId(account._id));
    await show(await handle.executeUpdate(testPostUpdate, { args: [{ postId: post._id }] }));
  } catch (error) {
    const refusal = workflowRefusal(error);
    if (refusal === undefined) throw error;
    const reason = { code: 'not_sent', message: refusal };
    await recordFailed(deps.models, targetIdOf(post._id, account._id), reason, new Date());
    await show({ outcome: 'failed', reason });
  }
}
