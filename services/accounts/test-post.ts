import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import { targetIdOf } from '../../db/models/post-target.js';
import { createPost, recordFailed } from '../../db/posts.js';
import { fileURLToPath } from 'node:url';
import type { MediaRules } from '../../platforms/media-rules.js';
import type { MediaInfo, PostChoices } from '../../platforms/types.js';
import { inspectFile } from '../media/inspect.js';
import { storeSample } from '../media/intake.js';
import type { TestPostResult } from '../../workflows/account/messages.js';
import { AccountWorkflowClient } from '../account-workflows/client.js';
import { refusalText, type Refusal } from '../account-workflows/refusal.js';
import type { AccountWorkflowTarget } from '../account-workflows/target.js';

// A test post: stored like any post (kind `test`), published at once by the account's workflow,
// which answers how it went. Where the platform needs media, it carries a bundled sample photo or
// video. When the workflow cannot take it, the post fails with the refusal.

/** The workflow's answer, or its refusal (the post target then failed with the refusal's words). */
export type TestPostOutcome = TestPostResult | { outcome: 'refused'; refusal: Refusal };

const SAMPLES = { image: 'sample-photo.jpg', video: 'sample-video.mp4' } as const;
const samplePath = (kind: keyof typeof SAMPLES) => fileURLToPath(new URL(`../media/samples/${SAMPLES[kind]}`, import.meta.url));

/** The sample a test post to this platform carries: none when text is enough; a video where the platform takes one (TikTok's photos must come from a verified domain, a video can be sent), else a photo. */
export function testPostSample(rules: MediaRules): 'image' | 'video' | undefined {
  if (!rules.required) return undefined;
  return rules.required !== 'image' && rules.video ? 'video' : 'image';
}

/** The sample as the platforms check it. */
export async function sampleInfo(kind: 'image' | 'video', publicUrl: string): Promise<MediaInfo> {
  const inspected = await inspectFile(samplePath(kind));
  if (!inspected.ok) throw new Error(`bundled sample ${SAMPLES[kind]} ${inspected.problem}`);
  return { ...inspected.info, url: `${publicUrl}/media/` };
}

export async function sendTestPost(
  deps: { models: Models; workflows: AccountWorkflowTarget },
  account: Pick<Account, '_id' | 'ownerId' | 'penNameId' | 'platform' | 'handle'>,
  text: string,
  now: Date,
  /** What the platform needs beyond text (a sample photo or video; TikTok's and YouTube's choices). */
  extra: { sample?: 'image' | 'video'; choices?: PostChoices } = {},
): Promise<TestPostOutcome> {
  const media = extra.sample ? [await storeSample(deps.models, samplePath(extra.sample), now)] : [];
  const post = await createPost(
    deps.models,
    {
      ownerId: account.ownerId,
      penNameId: account.penNameId,
      kind: 'test',
      text,
      ...(media.length > 0 ? { media } : {}),
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
