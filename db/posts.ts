import { randomUUID } from 'node:crypto';
import type { Reason } from '../workflows/lifecycle/types.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { Models } from './models/index.js';
import { targetIdOf, type PostTarget } from './models/post-target.js';
import type { Post, PostTargetChoice } from './models/post.js';

// Writes to post targets. The account's workflow is the only publisher of its targets; the web app
// only cancels, reschedules or retries targets that are not being published, with conditional filters.

const WAITING = ['scheduled', 'publishing'] as const;

export async function findTarget(models: Models, targetId: string): Promise<PostTarget | undefined> {
  return (await models.PostTarget.findById(targetId).lean()) ?? undefined;
}

/** Claims a waiting target for a publish attempt; false when it was cancelled or already settled. */
export async function startPublishing(models: Models, targetId: string, now: Date): Promise<boolean> {
  const result = await models.PostTarget.updateOne(
    { _id: targetId, state: { $in: WAITING } },
    { $set: { state: 'publishing', updatedAt: now }, $inc: { attempts: 1 } },
  );
  return result.matchedCount === 1;
}

export async function recordPublished(models: Models, targetId: string, post: { externalId: string; url: string }, now: Date): Promise<void> {
  await models.PostTarget.updateOne(
    { _id: targetId },
    { $set: { state: 'published', externalId: post.externalId, url: post.url, publishedAt: now, updatedAt: now }, $unset: { reason: 1 } },
  );
}

/** Back in the queue with the reason it is waiting (rate limit, token refused, platform outage). */
export async function recordWaiting(models: Models, targetId: string, reason: Reason, now: Date): Promise<void> {
  await models.PostTarget.updateOne({ _id: targetId, state: { $in: WAITING } }, { $set: { state: 'scheduled', reason, updatedAt: now } });
}

export async function recordFailed(models: Models, targetId: string, reason: Reason, now: Date): Promise<void> {
  await models.PostTarget.updateOne({ _id: targetId, state: { $in: WAITING } }, { $set: { state: 'failed', reason, updatedAt: now } });
}

export async function recordQueued(models: Models, targetId: string, now: Date): Promise<void> {
  await models.PostTarget.updateOne({ _id: targetId }, { $set: { queuedAt: now, updatedAt: now } });
}

export async function cancelTargets(models: Models, targetIds: string[], reason: Reason, now: Date): Promise<void> {
  await models.PostTarget.updateMany({ _id: { $in: targetIds }, state: 'scheduled' }, { $set: { state: 'canceled', reason, updatedAt: now } });
}

export async function moveTargets(models: Models, targetIds: string[], dueAt: Date, now: Date): Promise<void> {
  await models.PostTarget.updateMany({ _id: { $in: targetIds }, state: 'scheduled' }, { $set: { dueAt, updatedAt: now }, $unset: { reason: 1 } });
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
  imageUrl?: string;
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
export async function retryTarget(models: Models, targetId: string, dueAt: Date, now: Date): Promise<boolean> {
  const result = await models.PostTarget.updateOne(
    { _id: targetId, state: 'failed' },
    { $set: { state: 'scheduled', dueAt, updatedAt: now }, $unset: { reason: 1, queuedAt: 1 } },
  );
  return result.modifiedCount === 1;
}

export interface PostEdit {
  text: string;
  imageUrl?: string;
  timeZone: string;
  publishAt: Date;
}

/** New content and time for a post; targets already published keep what they went out with. */
export async function editPost(models: Models, postId: string, edit: PostEdit, now: Date): Promise<void> {
  const set = { text: edit.text, timeZone: edit.timeZone, publishAt: edit.publishAt, updatedAt: now, ...(edit.imageUrl ? { imageUrl: edit.imageUrl } : {}) };
  await models.Post.updateOne({ _id: postId }, edit.imageUrl ? { $set: set } : { $set: set, $unset: { imageUrl: 1 } });
}
