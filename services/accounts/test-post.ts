import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import { targetIdOf } from '../../db/models/post-target.js';
import { createPost, recordFailed } from '../../db/posts.js';
import type { PostChoices } from '../../platforms/types.js';
import type { TestPostResult } from '../../workflows/account/messages.js';
import { AccountWorkflowClient } from '../account-workflows/client.js';
import { refusalText, type Refusal } from '../account-workflows/refusal.js';
import type { AccountWorkflowTarget } from '../account-workflows/target.js';

// A test post: stored like any post (kind `test`), published at once by the account's workflow,
// which answers how it went. When the workflow cannot take it, the post fails with the refusal.

/** The workflow's answer, or its refusal (the post target then failed with the refusal's words). */
export type TestPostOutcome = TestPostResult | { outcome: 'refused'; refusal: Refusal };

export async function sendTestPost(
  deps: { models: Models; workflows: AccountWorkflowTarget },
  account: Pick<Account, '_id' | 'ownerId' | 'penNameId' | 'platform' | 'handle'>,
  text: string,
  now: Date,
  /** What the platform needs beyond text (an image; TikTok's choices). */
  extra: { imageUrl?: string; choices?: PostChoices } = {},
): Promise<TestPostOutcome> {
  const post = await createPost(
    deps.models,
    {
      ownerId: account.ownerId,
      penNameId: account.penNameId,
      kind: 'test',
      text,
      ...(extra.imageUrl ? { imageUrl: extra.imageUrl } : {}),
      timeZone: 'UTC',
      publishAt: now,
      targets: [{ accountId: account._id, platform: account.platform, handle: account.handle, ...(extra.choices ? { choices: extra.choices } : {}) }],
    },
    now,
  );
  const answer = await new AccountWorkflowClient(deps.workflows).testPost(account._id, post._id);
  if (answer.ok) return answer.value;
  await recordFailed(deps.models, targetIdOf(post._id, account._id), { code: 'not_sent', message: refusalText(answer.refusal) }, new Date());
  return { outcome: 'refused', refusal: answer.refusal };
}
