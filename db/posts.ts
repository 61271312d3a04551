import { randomUUID } from 'node:crypto';
import { endClaim, extendClaim, giveBackClaim, takeClaim } from './claims.js';
import { driverCollection } from './driver-collection.js';
import { isDuplicateKey } from './duplicate-key.js';
import { readEach } from './read-each.js';
import { withDatabaseRetry } from './retry.js';
import { changeTargets, generationOf, holdTargets, publishKeyOf as publishKey, readTarget, writeHeld, type TargetChange } from './target-changes.js';
import type { Models } from './models/index.js';
import { targetIdOf, type PostTarget, type TargetContent, type TargetState } from './models/post-target.js';
import type { StoredReason as Reason } from './models/reason.js';
import { isInScope, type PenNameScope } from './models/pen-name.js';
import type { Post, PostMedia, PostTargetChoice } from './models/post.js';

// Writes to post targets. The account's workflow is the only publisher of its targets; the web app
// and the workflow's settlements only change targets that are not being published, each holding the
// target's publish claim while it does (target-changes.ts).

const WAITING = ['scheduled', 'publishing'] as const;
const isWaiting = (state: TargetState) => (WAITING as readonly TargetState[]).includes(state);

export async function findTargets(models: Models, targetIds: string[]): Promise<PostTarget[]> {
  return readEach(targetIds, (id) => readTarget(models, id));
}

/** One post of this owner's pen name, or undefined (another user's or pen name's post is unknown). */
export async function findOwnPost(models: Models, scope: PenNameScope, postId: string): Promise<Post | undefined> {
  // Read by `_id` alone and checked here: FerretDB answers `{_id, ownerId, penNameId}` by reading every post.
  const post = await models.Post.findById(postId).lean();
  return post && isInScope(post, scope) ? post : undefined;
}

/** Up to `limit` posts of the pen name (optionally only `ids`), latest publish time first. */
export async function latestPosts(models: Models, scope: PenNameScope, input: { ids?: string[]; limit: number }): Promise<Post[]> {
  return models.Post.find({ ownerId: scope.ownerId, penNameId: scope.penNameId, ...(input.ids ? { _id: { $in: input.ids } } : {}) })
    .sort({ publishAt: -1 })
    .limit(input.limit)
    .lean();
}

/** The owner's posts among `postIds`, in the order asked, each read by `_id` and its owner checked here. */
export async function postsByIds(models: Models, ownerId: string, postIds: string[]): Promise<Post[]> {
  const posts = await readEach(postIds, (id) => models.Post.findById(id).lean());
  return posts.filter((post) => post.ownerId === ownerId);
}

/** The pen name's posts among `postIds`. */
export async function ownPostsByIds(models: Models, scope: PenNameScope, postIds: string[]): Promise<Post[]> {
  return (await postsByIds(models, scope.ownerId, postIds)).filter((post) => isInScope(post, scope));
}

/** The targets of one post, read by their ids: one per account the post was composed for (`targetsOf`), fewer while `targetsPending`. */
export async function targetsOfPost(models: Models, post: Pick<Post, '_id' | 'targets'>): Promise<PostTarget[]> {
  return findTargets(
    models,
    post.targets.map((choice) => targetIdOf(post._id, choice.accountId)),
  );
}

/** Every target of the given posts. */
export async function targetsOfPosts(models: Models, postIds: string[]): Promise<PostTarget[]> {
  return postIds.length === 0 ? [] : models.PostTarget.find({ postId: { $in: postIds } }).lean();
}

/**
 * Ids of the pen name's posts with a target in `state` (only on `accounts.in`, or not on
 * `accounts.notIn`), latest due first, reading at most `limit` targets.
 */
export async function postIdsWithTargetsIn(
  models: Models,
  scope: PenNameScope,
  input: { state: TargetState; accounts?: { in: string[] } | { notIn: string[] }; limit: number },
): Promise<string[]> {
  const accounts = input.accounts === undefined ? {} : 'in' in input.accounts ? { accountId: { $in: input.accounts.in } } : { accountId: { $nin: input.accounts.notIn } };
  const targets = await models.PostTarget.find({ ownerId: scope.ownerId, penNameId: scope.penNameId, state: input.state, ...accounts }, { postId: 1 })
    .sort({ dueAt: -1 })
    .limit(input.limit)
    .lean();
  return [...new Set(targets.map((target) => target.postId))];
}

/** A post still waiting on one account, as a disconnect confirmation lists it. */
export interface WaitingPost {
  id: string;
  scheduledFor: Date;
  excerpt: string;
}

const EXCERPT = 80;

/** The first `limit` posts waiting on (or being published to) an account, soonest first. Two queries. */
export async function postsWaitingOn(models: Models, accountId: string, limit: number): Promise<WaitingPost[]> {
  const targets = await models.PostTarget.find({ accountId, state: { $in: WAITING } }, { postId: 1, dueAt: 1 })
    .sort({ dueAt: 1 })
    .limit(limit)
    .lean();
  if (targets.length === 0) return [];
  const posts = await models.Post.find({ _id: { $in: targets.map((target) => target.postId) } }, { text: 1 }).lean();
  const textOf = new Map(posts.map((post) => [post._id, post.text]));
  return targets.map((target) => {
    const text = textOf.get(target.postId) ?? '';
    return { id: target.postId, scheduledFor: target.dueAt, excerpt: text.length > EXCERPT ? `${text.slice(0, EXCERPT - 1)}…` : text };
  });
}

/** Scheduled posts per account, for the given accounts of a pen name, in one aggregation. */
export async function scheduledCountsOf(models: Models, scope: PenNameScope, accountIds: string[]): Promise<Map<string, number>> {
  const rows = await models.PostTarget.aggregate<{ _id: string; count: number }>([
    { $match: { ownerId: scope.ownerId, penNameId: scope.penNameId, accountId: { $in: accountIds }, state: 'scheduled' } },
    { $group: { _id: '$accountId', count: { $sum: 1 } } },
  ]);
  return new Map(rows.map((row) => [row._id, row.count]));
}

/**
 * Scheduled targets a workflow may not hold: those of a restarted account queued before its restart
 * (their queue went with the old run; handing one over marks it queued, so a long list is worked
 * through batch by batch), and those never handed to a workflow that were last written before `cutoff`.
 */
export async function targetsToQueueAgain(
  models: Models,
  input: { restarted: { accountId: string; since: Date }[]; cutoff: Date; limit: number },
): Promise<Pick<PostTarget, '_id' | 'postId' | 'accountId' | 'dueAt'>[]> {
  const ofRestarted = input.restarted.flatMap(({ accountId, since }) => [
    { accountId, queuedAt: { $lt: since } },
    { accountId, queuedAt: { $exists: false } },
  ]);
  return models.PostTarget.find(
    {
      state: 'scheduled',
      $or: [...ofRestarted, { queuedAt: { $exists: false }, updatedAt: { $lt: input.cutoff } }],
    },
    { postId: 1, accountId: 1, dueAt: 1 },
  )
    .limit(input.limit)
    .lean();
}

/** post_targets through the driver for the commands every published post sends (the worker's CPU bounds a burst). */
const targetCollection = (models: Models) => driverCollection(models.PostTarget);

export type PublishClaim =
  | { kind: 'claimed'; target: PostTarget; content: TargetContent; attempt: number }
  | { kind: 'published'; target: PostTarget }
  /** Cancelled, settled or deleted: nothing to publish. */
  | { kind: 'gone' }
  /** Another attempt is publishing it right now. */
  | { kind: 'busy' };

/** What a target publishes, from its post (an empty media list is left out). */
const contentOf = (post: Pick<Post, 'text' | 'media'>): TargetContent => ({ text: post.text, ...(post.media?.length ? { media: post.media } : {}) });

/** The post's text and media, for a target without its copy (stored before copies, or during an edit). */
async function contentFromPost(models: Models, postId: string): Promise<TargetContent | undefined> {
  const post = await withDatabaseRetry(() => models.Post.findById(postId, { text: 1, media: 1 }).lean());
  return post ? contentOf(post) : undefined;
}

/**
 * Takes a waiting target for one publish attempt: a claim (db/claims.ts) keyed by the target, its
 * generation the attempt number. An attempt that finds the target `publishing` starts at that
 * attempt's claim, so it waits while that attempt lives and takes over once its lease ended.
 * `seen`: the target as the caller read it earlier (it names the claim to start at; only a waiting
 * one is trusted). What to publish comes with the target (its `content`); only a target without a
 * copy reads its post.
 */
export async function claimPublishing(
  models: Models,
  input: { targetId: string; postId: string; holder: string; now: Date; leaseMs: number; seen?: PostTarget | null },
): Promise<PublishClaim> {
  const { targetId, now } = input;
  const seen = input.seen && isWaiting(input.seen.state) ? input.seen : await readTarget(models, targetId);
  if (seen?.state === 'published') return { kind: 'published', target: seen };
  if (!seen || !isWaiting(seen.state)) return { kind: 'gone' };
  const answer = await withDatabaseRetry(() => takeClaim(models, { key: publishKey(targetId), from: generationOf(seen), holder: input.holder, now, leaseMs: input.leaseMs }));
  if (!answer.won) return { kind: 'busy' };
  const attempt = answer.generation;
  // Read again under the claim: a change (a cancel, an edit) may have held it between the read above
  // and the claim, and given it back. The target is marked only once it is known to be waiting, so a
  // crash can never leave a cancelled target marked for publishing.
  const target = await readTarget(models, targetId);
  const content = target && isWaiting(target.state) ? (target.content ?? (await contentFromPost(models, input.postId))) : undefined;
  if (!target || !content) {
    // Nothing to publish after all: the attempt number is not used.
    await withDatabaseRetry(() => giveBackClaim(models, { key: publishKey(targetId), generation: attempt }));
    return target?.state === 'published' ? { kind: 'published', target } : { kind: 'gone' };
  }
  await withDatabaseRetry(() => targetCollection(models).updateOne({ _id: targetId }, { $set: { state: 'publishing', attempts: attempt, updatedAt: now } }));
  return { kind: 'claimed', target: { ...target, state: 'publishing', attempts: attempt }, content, attempt };
}

/** Keeps a long attempt's claim (a video upload, a processing wait) live while it still runs. */
export async function extendPublishing(models: Models, input: { targetId: string; attempt: number; until: Date }): Promise<void> {
  await withDatabaseRetry(() => extendClaim(models, { key: publishKey(input.targetId), generation: input.attempt, until: input.until }));
}

export type PublishSettlement = { published: { externalId: string; url: string } } | { waiting: Reason } | { failed: Reason };

/** The claimed attempt's outcome, by `_id`; an attempt that did not publish lets the next one start at once. */
export async function settlePublishing(models: Models, input: { targetId: string; attempt: number; outcome: PublishSettlement; now: Date }): Promise<void> {
  const { targetId, outcome, now } = input;
  if ('published' in outcome) {
    const { externalId, url } = outcome.published;
    await withDatabaseRetry(() =>
      targetCollection(models).updateOne({ _id: targetId }, { $set: { state: 'published', externalId, url, publishedAt: now, updatedAt: now }, $unset: { reason: 1 } }),
    );
    return;
  }
  const [state, reason] = 'waiting' in outcome ? (['scheduled', outcome.waiting] as const) : (['failed', outcome.failed] as const);
  await withDatabaseRetry(() => targetCollection(models).updateOne({ _id: targetId }, { $set: { state, reason, updatedAt: now } }));
  await withDatabaseRetry(() => endClaim(models, { key: publishKey(targetId), generation: input.attempt, now }));
}

/** A waiting target fails; `busy` while a publish attempt holds it (it may still publish). */
export async function recordFailed(models: Models, targetId: string, reason: Reason, now: Date): Promise<TargetChange['kind']> {
  const [answer] = await failWaitingTargets(models, [targetId], reason, now);
  return answer!.kind;
}

/** Each of these targets still waiting fails, by `_id` under its claim (`busy`: a publish attempt holds it). */
export function failWaitingTargets(models: Models, targetIds: string[], reason: Reason, now: Date): Promise<TargetChange[]> {
  return changeTargets(models, { targets: targetIds, holder: 'fail', now }, (target) => (isWaiting(target.state) ? { $set: { state: 'failed', reason, updatedAt: now } } : undefined));
}

/**
 * A waiting target its account's workflow now holds is marked queued, under its publish claim:
 * FerretDB writes a whole document back, so an unclaimed write made while an attempt settles could
 * undo the attempt. `busy`: an attempt holds the target, so the workflow has it already.
 */
export async function recordQueued(models: Models, targetId: string, now: Date): Promise<TargetChange['kind']> {
  const [answer] = await changeTargets(models, { targets: [targetId], holder: 'queued', now }, (current) =>
    isWaiting(current.state) ? { $set: { queuedAt: now, updatedAt: now } } : undefined,
  );
  return answer!.kind;
}

/** Each target still scheduled is canceled (targets as last read, or their ids). */
export async function cancelTargets(models: Models, targets: (PostTarget | string)[], reason: Reason, now: Date): Promise<TargetChange[]> {
  return changeTargets(models, { targets, holder: 'cancel', now }, (target) => (target.state === 'scheduled' ? { $set: { state: 'canceled', reason, updatedAt: now } } : undefined));
}

const moveTo = (dueAt: Date, now: Date, content?: TargetContent) => ({ $set: { dueAt, updatedAt: now, ...(content ? { content } : {}) }, $unset: { reason: 1 } }) as const;

/** Each target still scheduled is due at `dueAt`. */
export async function moveTargets(models: Models, targets: (PostTarget | string)[], dueAt: Date, now: Date): Promise<TargetChange[]> {
  return changeTargets(models, { targets, holder: 'move', now }, (target) => (target.state === 'scheduled' ? moveTo(dueAt, now) : undefined));
}

/** Every waiting target of an account fails (it was disconnected); answers how many. */
export async function failWaitingTargetsOf(models: Models, accountId: string, reason: Reason, now: Date): Promise<number> {
  const result = await models.PostTarget.updateMany({ accountId, state: { $in: WAITING } }, { $set: { state: 'failed', reason, updatedAt: now } });
  return result.modifiedCount;
}

export interface NewPost {
  ownerId: string;
  penNameId: string;
  kind: Post['kind'];
  text: string;
  media?: PostMedia[];
  timeZone: string;
  publishAt: Date;
  targets: PostTargetChoice[];
}

/**
 * Stores a post and one waiting target per account. Without transactions these are separate
 * writes, so the post is marked `targetsPending` until its targets exist: a crash in between is
 * finished by `writePendingTargets`, and targets never handed to a workflow are queued by
 * self-healing (activities/requeue-posts.ts).
 */
export async function createPost(models: Models, input: NewPost, now: Date): Promise<Post> {
  const post: Post = { _id: randomUUID(), ...input, targetsPending: true, createdAt: now, updatedAt: now };
  await models.Post.create(post);
  await models.PostTarget.insertMany(targetsOf(post));
  await models.Post.updateOne({ _id: post._id }, { $unset: { targetsPending: 1 } });
  delete post.targetsPending;
  return post;
}

/** Writes the missing targets of posts stored before `before` whose targets are still pending; answers how many posts. */
export async function writePendingTargets(models: Models, before: Date, limit: number): Promise<number> {
  const pending = await models.Post.find({ targetsPending: true, createdAt: { $lt: before } }).limit(limit).lean();
  for (const post of pending) {
    for (const target of targetsOf(post)) {
      try {
        await models.PostTarget.create(target);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    await models.Post.updateOne({ _id: post._id }, { $unset: { targetsPending: 1 } });
  }
  return pending.length;
}

/** One waiting target per account the post was composed for, due when the post is. */
function targetsOf(post: Post): PostTarget[] {
  return post.targets.map((target): PostTarget => ({
    _id: targetIdOf(post._id, target.accountId),
    postId: post._id,
    accountId: target.accountId,
    ownerId: post.ownerId,
    penNameId: post.penNameId,
    platform: target.platform,
    handle: target.handle,
    ...(target.boardId ? { boardId: target.boardId } : {}),
    ...(target.choices ? { choices: target.choices } : {}),
    content: contentOf(post),
    state: 'scheduled',
    dueAt: post.publishAt,
    attempts: 0,
    updatedAt: post.createdAt,
  }));
}

/**
 * A failed target goes back to waiting, due at `dueAt`; false when it is no longer failed (another
 * retry, or a disconnect, got there first). The caller hands it to the account's workflow again.
 */
export async function retryTarget(models: Models, target: PostTarget | string, dueAt: Date, now: Date): Promise<boolean> {
  const [answer] = await changeTargets(models, { targets: [target], holder: 'retry', now }, (current) =>
    current.state === 'failed' ? { $set: { state: 'scheduled', dueAt, updatedAt: now }, $unset: { reason: 1, queuedAt: 1 } } : undefined,
  );
  return answer!.kind === 'changed';
}

export interface PostEdit {
  text: string;
  timeZone: string;
  publishAt: Date;
}

/** A target that may still publish (a failed one, once retried): an edit changes what it publishes. */
const mayPublish = (target: PostTarget) => target.state !== 'published' && target.state !== 'canceled';

/**
 * New text and time for a post (its media stay), and for its targets still waiting (`waitingIds`),
 * which move to the new time; targets already published keep what they went out with. `all` are
 * the post's targets as last read (or their ids). The edit holds each target's publish claim
 * throughout, so no attempt publishes half of it; a target being published is left as it is (its
 * attempt publishes what it read). The targets' copies of the text are dropped first and written
 * back last: a target without a copy publishes from the post, so a crash in between still
 * publishes the edit. A failed target keeps no copy either, so a retry publishes the edited text.
 * Answers what happened to each target (`busy`: a publish attempt, or another change, held it).
 */
export async function editPost(
  models: Models,
  post: Pick<Post, '_id' | 'media'>,
  edit: PostEdit,
  targets: { all: (PostTarget | string)[]; waitingIds: string[] },
  now: Date,
): Promise<TargetChange[]> {
  const waiting = new Set(targets.waitingIds);
  return holdTargets(models, { targets: targets.all, applies: mayPublish, holder: 'edit', now }, async (answers) => {
    const held = answers.flatMap((answer) => (answer.kind === 'held' ? [answer.target] : []));
    await Promise.all(held.map((target) => writeHeld(models, target._id, { $unset: { content: 1 } })));
    await models.Post.updateOne({ _id: post._id }, { $set: { text: edit.text, timeZone: edit.timeZone, publishAt: edit.publishAt, updatedAt: now } });
    const move = moveTo(edit.publishAt, now, contentOf({ text: edit.text, media: post.media }));
    await Promise.all(held.filter((target) => target.state === 'scheduled' && waiting.has(target._id)).map((target) => writeHeld(models, target._id, move)));
    return answers.map((answer): TargetChange => (answer.kind === 'held' ? { kind: 'changed', target: answer.target } : answer));
  });
}

/** Up to `limit` failed targets of one account in the pen name, latest due first. */
export function failedTargetsOf(models: Models, scope: PenNameScope, accountId: string, limit: number): Promise<PostTarget[]> {
  return models.PostTarget.find({ ownerId: scope.ownerId, penNameId: scope.penNameId, accountId, state: 'failed' }).sort({ dueAt: -1 }).limit(limit).lean();
}
