import type { Request, Response } from 'express';
import { createPost, recordFailed } from '../../db/posts.js';
import type { Account } from '../../db/models/account.js';
import { targetIdOf } from '../../db/models/post-target.js';
import { PLATFORM_NAMES } from '../../platforms/types.js';
import { accountWorkflowId, testPostUpdate, type TestPostResult } from '../../workflows/account/messages.js';
import { renderPage } from '../respond.js';
import { workflowRefusal } from '../accounts/workflow-client.js';
import { checkTargets, choiceOf } from '../posts/compose.js';
import { choicesOf } from '../posts/form.js';
import type { ConnectionsDeps } from './router.js';
import { displayHandle } from '../../platforms/handle.js';
import { createCredentialStore } from '../../db/credentials.js';

// "Send test post": a short post published right away through the account's workflow, so a user
// can see that a new connection really publishes. The outcome is shown on its own page. Where the
// platform needs more than text (an image; TikTok's privacy level and music consent), a form asks
// for it first.

export function testPostText(account: Pick<Account, 'handle'>, now: Date): string {
  return `Testing Tether with ${displayHandle(account.handle)} — ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export async function sendTestPost(deps: ConnectionsDeps, req: Request, res: Response, account: Account): Promise<void> {
  const now = new Date();
  const text = testPostText(account, now);
  const platformName = PLATFORM_NAMES[account.platform];
  const adapter = deps.adapters[account.platform];
  const needsImage = adapter?.postRules({ premium: account.premium }).requiresImage ?? false;
  const asks = needsImage || Boolean(adapter?.postChoices);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const imageUrl = asks && typeof body.imageUrl === 'string' && body.imageUrl.trim() ? body.imageUrl.trim().slice(0, 2000) : undefined;
  const choices = choicesOf(body, [account._id])[account._id];
  const askFor = async (errors: Record<string, string> = {}, status = 200) => {
    const choice = adapter?.postChoices ? await choiceOf(account, adapter, createCredentialStore(deps.models, deps.config.tokenEncryptionKey)) : undefined;
    const locals = { title: 'Test post', account: { id: account._id, handle: account.handle }, platformName, text, needsImage, choice, values: { imageUrl, choices }, errors };
    await renderPage(res, 'connections/test-post-choices', locals, status);
  };
  // The pill's button asks first; the form answers with `withChoices`.
  if (asks && body.withChoices !== 'yes') return askFor();
  const errors = checkTargets(deps.adapters, { text, ...(imageUrl ? { imageUrl } : {}) }, [{ account, ...(choices ? { choices } : {}) }]);
  const show = (result: TestPostResult, status = 200) =>
    renderPage(res, 'connections/test-post', { title: 'Test post', account: { id: account._id, handle: account.handle }, platformName, text, result }, status);
  if (asks && Object.keys(errors).length > 0) return askFor(errors, 400);
  const problems = Object.values(errors);
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
      ...(imageUrl ? { imageUrl } : {}),
      timeZone: 'UTC',
      publishAt: now,
      targets: [{ accountId: account._id, platform: account.platform, handle: account.handle, ...(choices ? { choices } : {}) }],
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
