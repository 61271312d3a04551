import { ApplicationFailure, Context } from '@temporalio/activity';
import { accountRefOf, findAccount } from '../../db/accounts.js';
import { claimPublishing, extendPublishing, settlePublishing } from '../../db/posts.js';
import { readTarget } from '../../db/target-changes.js';
import type { Failure } from '../../platforms/types.js';
import { publishableMedia, uploadLedger } from '../../services/media/publishable.js';
import { mediaUrlSignerFor } from '../../services/media/signed-url.js';
import { accountNotFound, activityLog, missingCredentials, notConfigured, type LifecycleContext } from '../lifecycle/deps.js';
import type { PostReason, PublishingActivities, PublishResult, TargetRef, TimedPublishResult } from './contract.js';
import { targetIdOf, type PostTarget } from '../../db/models/post-target.js';
import type { Account } from '../../db/models/account.js';
import type { StoredCredentials } from '../../db/credentials.js';

// Publishing posts to one account: one post (publishPost: a test post, workflows from before the
// `publish-due-together` patch), or the account's posts due together, one after another in one
// activity (publishDuePosts), each with its own claim and outcome. The idempotency key is derived from (post, account), so a
// retry after a crash (the call landed, the answer was lost) gets the original post back from the
// platform instead of a second one. Media are uploaded once per (target, media file): the platform's
// media id is recorded and a retry reuses it. Long uploads and processing waits heartbeat, and keep
// the attempt's claim live while they run.

export const idempotencyKeyOf = (target: TargetRef) => `tether-${target.postId}-${target.accountId}`;

/**
 * How long an attempt's claim lasts without news: a little longer than the activity's 20 s
 * heartbeat timeout. A live attempt renews it while it works (a video upload may take minutes); a
 * dead one's runs out soon after Temporal gives up on its heartbeats, and the next attempt takes over.
 */
const PUBLISH_LEASE_MS = 30_000;
/** Heartbeats this often; the claim is renewed on the first beat this long after the last renewal. */
const HEARTBEAT_MS = 5_000;
const RENEW_AFTER_MS = 10_000;
const PROGRESS_BEAT_MS = 1_000;

/** A run of due posts stops taking the next one after this long (each post it took keeps its own 30 minutes). */
const RUN_BUDGET_MS = 5 * 60_000;

/** A result that ends a run of due posts: the workflow acts on it first (a renewal, a wait for the reset, a backoff). */
export const needsAttention = (result: PublishResult): boolean =>
  result.outcome === 'rateLimited' || result.outcome === 'reauthRequired' || result.outcome === 'transient';

type AccountReads = Promise<[Account | undefined, StoredCredentials | undefined]>;

export function publishActivities(context: LifecycleContext): Pick<PublishingActivities, 'publishPost' | 'publishDuePosts'> {
  const { models, store } = context;
  // The account and its tokens are read while the first target is claimed: reads only, used once a claim is won.
  const readAccount = (accountId: string): AccountReads => {
    const reads = Promise.all([findAccount(models, accountId), store.loadCredentials(accountId)]);
    reads.catch(() => undefined);
    return reads;
  };
  const publishOne = publisherOf(context);

  return {
    publishPost: (target) => publishOne(target, readAccount(target.accountId)),

    // One account's posts that are due together: the account and its tokens are read once, each
    // post is claimed, published and settled as publishPost does, one after another.
    async publishDuePosts({ accountId, postIds }) {
      const reads = readAccount(accountId);
      const startedAt = Date.now();
      const results: TimedPublishResult[] = [];
      const activity = Context.current();
      let beatAt = 0;
      const beat = () => {
        beatAt = Date.now();
        activity.heartbeat({ published: results.length, of: postIds.length });
      };
      const beating = setInterval(beat, HEARTBEAT_MS);
      try {
        // Each next target is read while the one before is published: that read only names where its claim starts.
        const readAhead = (index: number) => {
          const postId = postIds[index];
          const read = postId === undefined ? Promise.resolve(null) : readTarget(models, targetIdOf(postId, accountId));
          read.catch(() => undefined);
          return read;
        };
        let ahead = readAhead(0);
        for (const [index, postId] of postIds.entries()) {
          if (results.length > 0 && Date.now() - startedAt >= RUN_BUDGET_MS) break;
          const seen = await ahead;
          ahead = readAhead(index + 1);
          const result = await publishOne({ postId, accountId }, reads, seen);
          results.push({ ...result, at: context.clock().getTime() });
          // Progress after a post, at most once a second: each beat is encoded and handed to the SDK's core, which sends far fewer.
          if (Date.now() - beatAt >= PROGRESS_BEAT_MS) beat();
          if (needsAttention(result)) break;
        }
      } finally {
        clearInterval(beating);
      }
      return results;
    },
  };
}

function publisherOf(context: LifecycleContext) {
  const { models, adapters, clock } = context;
  const signer = mediaUrlSignerFor(context.config);

  return async function publishOne(target: TargetRef, reads: AccountReads, seen?: PostTarget | null): Promise<PublishResult> {
    const targetId = targetIdOf(target.postId, target.accountId);
    const claim = await claimPublishing(models, { targetId, postId: target.postId, holder: context.workerIdentity, now: clock(), leaseMs: PUBLISH_LEASE_MS, seen });
    if (claim.kind === 'published') return { outcome: 'published', url: claim.target.url ?? '', externalId: claim.target.externalId ?? '' };
    if (claim.kind === 'gone') return { outcome: 'gone' };
    // Temporal retries this attempt once the other one has settled the target (or its lease ended).
    if (claim.kind === 'busy') throw ApplicationFailure.retryable(`another attempt is publishing ${targetId}`, 'PublishInProgress');
    const { attempt, content } = claim;

    const [found, stored] = await reads;
    const account = found ?? accountNotFound(target.accountId);
    const adapter = adapters[account.platform];
    const media = await publishableMedia(models, signer, content.media, clock());
    const renew = () => extendPublishing(models, { targetId, attempt, until: new Date(clock().getTime() + PUBLISH_LEASE_MS) });
    const outcome = !adapter
      ? notConfigured(account.platform)
      : !stored
        ? missingCredentials(account)
        : !Array.isArray(media)
          ? mediaMissing(media.missing)
          : await withHeartbeat(renew, (onProgress) =>
              adapter.publish(accountRefOf(account), stored.credentials, {
                text: content.text,
                ...(media.length > 0 ? { media, uploads: uploadLedger(models, targetId, clock) } : {}),
                boardId: claim.target.boardId,
                ...(claim.target.choices ? { choices: claim.target.choices } : {}),
                idempotencyKey: idempotencyKeyOf(target),
                onProgress,
              }),
            );

    const now = clock();
    if (outcome.kind === 'ok') {
      await settlePublishing(models, { targetId, attempt, outcome: { published: outcome.value }, now });
      context.metrics.publish(account.platform, 'published');
      activityLog().info('published', { ...target, platform: account.platform, media: Array.isArray(media) ? media.length : 0 });
      return { outcome: 'published', ...outcome.value };
    }
    const result = classify(outcome, now.getTime());
    context.metrics.publish(account.platform, result.outcome);
    await settlePublishing(models, { targetId, attempt, outcome: result.outcome === 'rejected' ? { failed: result.reason } : { waiting: result.reason }, now });
    activityLog().warn('publish did not complete', { ...target, platform: account.platform, outcome: result.outcome });
    return result;
  };
}

/** The adapter's words already name the platform and, for a rate limit, the reset time (with the date when it is not today). */
function classify(failure: Failure, now: number): Exclude<PublishResult, { outcome: 'published' | 'gone' }> {
  switch (failure.kind) {
    case 'rateLimited': {
      const resetAt = Math.max(Date.parse(failure.resetAt) || now, now + 1_000);
      return { outcome: 'rateLimited', resetAt, reason: { code: 'rate_limited', message: `${failure.message}; the post will go out then` } };
    }
    case 'invalid':
      return { outcome: 'rejected', reason: { code: 'rejected', message: failure.message } };
    case 'reauthRequired':
      return { outcome: 'reauthRequired', reason: { code: failure.code, message: failure.message } satisfies PostReason };
    case 'transient':
      return { outcome: 'transient', reason: { code: 'platform_unavailable', message: failure.message } };
  }
}

function mediaMissing(count: number): Failure {
  return { kind: 'invalid', message: `${count === 1 ? 'A media file' : `${count} media files`} of this post no longer exist in Tether's storage; write the post again` };
}

/**
 * Heartbeats while the publish runs (every few seconds, and on each reported step), so a dead
 * worker's attempt is retried soon; every ten seconds or so the claim is renewed too.
 */
async function withHeartbeat<T>(renew: () => Promise<void>, run: (onProgress: (what: string) => void) => Promise<T>): Promise<T> {
  const context = Context.current();
  const beat = (what: string) => context.heartbeat(what);
  let renewedAt = Date.now();
  const timer = setInterval(() => {
    beat('publishing');
    if (Date.now() - renewedAt < RENEW_AFTER_MS) return;
    renewedAt = Date.now();
    renew().catch((error: unknown) => activityLog().warn('could not renew the publish claim', { error: String(error) }));
  }, HEARTBEAT_MS);
  try {
    return await run(beat);
  } finally {
    clearInterval(timer);
  }
}
