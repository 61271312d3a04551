// What the account workflow exchanges with the publishing activities: post ids, times and reasons.
// Post content and tokens stay in MongoDB. Reasons here are the words stored on post targets (the
// adapter's message, or Tether's), unlike the account's structured lifecycle reasons.
import type { StoredReason as Reason } from '../../db/models/reason.js';
import type { Reason as AccountReason } from '../../workflows/lifecycle/types.js';

export type { Reason as PostReason };

export interface TargetRef {
  postId: string;
  accountId: string;
}

export type PublishResult =
  | { outcome: 'published'; url: string; externalId: string }
  /** The platform asked us to wait until `resetAt` (epoch ms); the post stays queued. */
  | { outcome: 'rateLimited'; resetAt: number; reason: Reason }
  /** A permanent rejection of this content: the target has failed. */
  | { outcome: 'rejected'; reason: Reason }
  /** The token was refused: the account needs a renewal or a reconnect; the post stays queued. */
  | { outcome: 'reauthRequired'; reason: Reason }
  /** The platform or network failed; worth retrying later. */
  | { outcome: 'transient'; reason: Reason }
  /** The target is no longer waiting (cancelled, or the post was deleted). */
  | { outcome: 'gone' };

/** Posts of one account that are due together, in queue order. */
export interface DuePosts {
  accountId: string;
  postIds: string[];
}

/** A result of a run of posts, with when its outcome was recorded (epoch ms; the timeline's time). */
export type TimedPublishResult = PublishResult & { at: number };

export interface PublishingActivities {
  /** Publishes one post to one account, idempotently: a retry never publishes twice. */
  publishPost(target: TargetRef): Promise<PublishResult>;
  /**
   * Publishes due posts of one account one after another, in the given order, each as
   * `publishPost` would (its own claim and outcome). Stops after the first result that needs the
   * workflow first (a rate limit, a refused token, a transient failure), or once it has run for a
   * while; answers one result per post it took, in order.
   */
  publishDuePosts(input: DuePosts): Promise<TimedPublishResult[]>;
  /**
   * Marks one queued target failed with a reason (a transient failure that never cleared), or with
   * the account's lifecycle reason (a test post whose account expired first), worded here for the owner.
   */
  failTarget(input: TargetRef & ({ reason: Reason } | { accountReason: AccountReason })): Promise<void>;
  /** Marks the given queued targets of an account cancelled (the user skipped them) or moved to a new time. */
  settleOverdue(input: { accountId: string; postIds: string[]; change: { skip: Reason } | { dueAt: number } }): Promise<void>;
  /**
   * The account was disconnected: its waiting targets fail; answers how many. `postIds`: the posts
   * its queue held, each target failed by `_id`; without them (an attempt scheduled before they were
   * passed) every waiting target of the account, found by reading the whole collection on FerretDB.
   */
  failScheduledPosts(input: { accountId: string; reason: Reason; postIds?: string[] }): Promise<number>;
}
