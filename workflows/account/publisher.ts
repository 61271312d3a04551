import { patched } from '@temporalio/workflow';
import type { PostReason, PublishResult } from '../../activities/publishing/contract.js';
import { reauthReason } from '../lifecycle/reasons.js';
import type { Reason } from '../lifecycle/types.js';
import {
  ACCOUNT_DISCONNECTED,
  emptyQueue,
  failedTransiently,
  firstReady,
  holdOverdue,
  MAX_TRANSIENT_FAILURES,
  nextPublishAt,
  rateLimited,
  readyInOrder,
  remove,
  resolveOverdue,
  schedule,
  type OverdueChoice,
  type PublishQueue,
} from '../publishing/queue.js';
import { asFailure, failScheduledPosts, failTarget, publishDuePosts, publishPost, settleOverdue } from './activities.js';
import type { ScheduleResult, TestPostResult } from './messages.js';
import { testPostFailure } from './outcomes.js';

// The account's publishing queue at work: scheduling and unscheduling posts, publishing what is
// due in queue order, backing off after transient failures, test posts, the user's choice for
// posts that fell due while the account was expired, and failing what is left on a disconnect.
// The queue itself is pure data (../publishing/queue.ts); this class runs its activities.
// Callers hold the account's lock.

/** What the publisher needs from the account it publishes for. */
export interface PublishingAccount {
  readonly accountId: string;
  canPublish(): boolean;
  /** Why posts wait (the expiry reason) while the account is expired. */
  pausedBecause(): Reason | undefined;
  /** The platform refused the access token: the lifecycle renews it once or expires the account. Answers whether a new token was issued. */
  tokenRefused(reason: Reason): Promise<boolean>;
  /** Something the wake loop schedules by has changed: it computes its wake time again. */
  changed(): void;
  /** A post is about to go out at once: renew first if the access token is dead by now. */
  prepareToPublish(): Promise<void>;
}

/**
 * Patch: the posts that are due together go out in one activity (publishDuePosts) instead of one
 * activity each. Histories from before it publish one post per activity.
 */
const PUBLISH_DUE_TOGETHER = 'publish-due-together';
/** Posts one publish activity takes at most (its result carries one outcome each). */
const POSTS_PER_ACTIVITY = 25;

/** Stored on the post targets the user skipped (post targets keep words). */
const SKIPPED: PostReason = { code: 'skipped', message: 'Skipped after the reconnect, as you chose' };

export class Publisher {
  constructor(
    private readonly account: PublishingAccount,
    public queue: PublishQueue,
    /** After a reconnect, how long posts that fell due while expired wait for the user's choice. */
    private readonly overdueDecisionMs: number,
  ) {}

  /** When the next post may go out; undefined while nothing waits or the account cannot publish. */
  nextPublishAt(): number | undefined {
    return this.account.canPublish() ? nextPublishAt(this.queue) : undefined;
  }

  schedule(post: { postId: string; dueAt: string }): ScheduleResult {
    const scheduled = schedule(this.queue, { postId: post.postId, dueAt: Date.parse(post.dueAt) });
    this.update(scheduled.queue);
    return { position: scheduled.position, queued: this.queue.entries.length, waitsForReconnect: this.account.pausedBecause() };
  }

  unschedule(postId: string): { removed: boolean } {
    const removed = remove(this.queue, postId);
    this.update(removed.queue);
    return { removed: removed.removed };
  }

  /** After a reconnect of an expired account: posts already due wait a while for the user's choice. */
  holdOverdue(): void {
    // Only when posts wait: a change wakes the loop, which would reschedule its timer.
    if (this.queue.entries.length > 0) this.update(holdOverdue(this.queue, Date.now(), this.overdueDecisionMs));
  }

  async resolveOverdue(decision: OverdueChoice): Promise<{ postIds: string[] }> {
    const resolved = resolveOverdue(this.queue, decision);
    this.update(resolved.queue);
    if (decision.choice === 'skip') await settleOverdue({ accountId: this.account.accountId, postIds: resolved.postIds, change: { skip: SKIPPED } });
    if (decision.choice === 'reschedule') await settleOverdue({ accountId: this.account.accountId, postIds: resolved.postIds, change: { dueAt: decision.at } });
    return { postIds: resolved.postIds };
  }

  /** Publishes every post that is due, in queue order, while the account can publish. */
  async publishDue(): Promise<void> {
    if (!patched(PUBLISH_DUE_TOGETHER)) {
      for (let entry = firstReady(this.queue, Date.now()); entry && this.account.canPublish(); entry = firstReady(this.queue, Date.now())) {
        await this.publishOnce(entry.postId);
      }
      return;
    }
    const due = () => readyInOrder(this.queue, Date.now(), POSTS_PER_ACTIVITY).map((entry) => entry.postId);
    for (let postIds = due(); postIds.length > 0 && this.account.canPublish(); postIds = due()) {
      await this.publishTogether(postIds);
    }
  }

  /** Publishes a test post at once and answers with the platform's first answer; it is never retried. */
  async testPost(postId: string): Promise<TestPostResult> {
    await this.account.prepareToPublish();
    const paused = this.account.pausedBecause();
    if (paused) {
      // The renewal before it found the authorization gone.
      this.queue = remove(this.queue, postId).queue;
      await failTarget({ postId, accountId: this.account.accountId, accountReason: paused });
      return { outcome: 'failed', reason: paused };
    }
    const result = await this.publishOnce(postId);
    if (result.outcome === 'published') return { outcome: 'published', url: result.url };
    if (result.outcome === 'gone') return { outcome: 'failed', reason: testPostFailure(result) };
    this.queue = remove(this.queue, postId).queue;
    if (result.outcome !== 'rejected') await failTarget({ postId, accountId: this.account.accountId, reason: result.reason });
    return { outcome: 'failed', reason: testPostFailure(result) };
  }

  /** The account was disconnected: every post still queued fails, each found by its id. Answers how many did. */
  async failAll(): Promise<number> {
    const postIds = this.queue.entries.map((entry) => entry.postId);
    const affected = postIds.length > 0 ? await failScheduledPosts({ accountId: this.account.accountId, reason: ACCOUNT_DISCONNECTED, postIds }) : 0;
    this.queue = emptyQueue();
    return affected;
  }

  /** One publish attempt; the queue learns the outcome. Infrastructure errors count as transient. */
  private async publishOnce(postId: string): Promise<PublishResult> {
    let result: PublishResult;
    try {
      result = await publishPost({ postId, accountId: this.account.accountId });
    } catch (error) {
      result = infrastructureFailure(error);
    }
    await this.learn(postId, result);
    return result;
  }

  /**
   * Posts due together, published by one activity in order; the queue learns each outcome in turn.
   * The activity stops at the first post that needs the account's attention, so at most the last
   * outcome renews, holds or backs off. When it fails, the first post counts a transient failure
   * (the posts it may have published before are found published by the next attempt).
   */
  private async publishTogether(postIds: string[]): Promise<void> {
    let results: PublishResult[];
    try {
      results = await publishDuePosts({ accountId: this.account.accountId, postIds });
    } catch (error) {
      results = [infrastructureFailure(error)];
    }
    for (const [i, result] of results.entries()) await this.learn(postIds[i]!, result);
  }

  private async learn(postId: string, result: PublishResult): Promise<void> {
    switch (result.outcome) {
      case 'published':
      case 'rejected':
      case 'gone':
        this.queue = remove(this.queue, postId).queue;
        break;
      case 'rateLimited':
        this.queue = rateLimited(this.queue, result.resetAt);
        break;
      case 'reauthRequired': {
        const renewed = await this.account.tokenRefused(reauthReason(result.reason));
        // A renewed token is tried at once; the failure still counts, so a platform that refuses every token ends it.
        if (this.account.canPublish()) await this.backOff(postId, result, renewed ? 0 : undefined);
        break;
      }
      case 'transient':
        await this.backOff(postId, result);
        break;
    }
    this.account.changed();
  }

  private async backOff(postId: string, result: Extract<PublishResult, { reason: PostReason }>, delayMs?: number): Promise<void> {
    const retried = failedTransiently(this.queue, postId, Date.now(), delayMs);
    this.queue = retried.queue;
    if (retried.gaveUp) {
      const reason = { code: result.reason.code, message: `Not published after ${MAX_TRANSIENT_FAILURES} attempts: ${result.reason.message}` };
      await failTarget({ postId, accountId: this.account.accountId, reason });
    }
  }

  private update(queue: PublishQueue): void {
    this.queue = queue;
    this.account.changed();
  }
}

function infrastructureFailure(error: unknown): PublishResult {
  return { outcome: 'transient', reason: { code: 'platform_unavailable', message: asFailure(error).message } };
}
