import { describe, expect, it } from 'vitest';
import {
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
  type PublishQueue,
} from '../../../workflows/publishing/queue.js';

const MINUTE = 60_000;

function queueOf(...posts: Array<[string, number]>): PublishQueue {
  return posts.reduce((queue, [postId, dueAt]) => schedule(queue, { postId, dueAt }).queue, emptyQueue());
}

const order = (queue: PublishQueue) => queue.entries.map((entry) => entry.postId);

describe('publishing queue', () => {
  it('answers the queued position and keeps due-time order, arrival order among equals', () => {
    let queue = emptyQueue();
    const first = schedule(queue, { postId: 'b', dueAt: 200 });
    expect(first.position).toBe(1);
    queue = first.queue;
    const earlier = schedule(queue, { postId: 'a', dueAt: 100 });
    expect(earlier.position).toBe(1);
    queue = earlier.queue;
    const tie = schedule(queue, { postId: 'c', dueAt: 200 });
    expect(tie.position).toBe(3);
    expect(order(tie.queue)).toEqual(['a', 'b', 'c']);
  });

  it('moves an edited post instead of queueing it twice', () => {
    const queue = queueOf(['a', 100], ['b', 200]);
    const edited = schedule(queue, { postId: 'a', dueAt: 300 });
    expect(order(edited.queue)).toEqual(['b', 'a']);
    expect(edited.position).toBe(2);
    expect(edited.queue.entries).toHaveLength(2);
  });

  it('publishes nothing before its time and the first due post first', () => {
    const queue = queueOf(['late', 500], ['early', 100]);
    expect(nextPublishAt(queue)).toBe(100);
    expect(firstReady(queue, 99)).toBeUndefined();
    expect(firstReady(queue, 100)?.postId).toBe('early');
    expect(firstReady(remove(queue, 'early').queue, 600)?.postId).toBe('late');
    expect(nextPublishAt(emptyQueue())).toBeUndefined();
  });

  it('hands over every post ready now, in queue order, as one activity would publish them', () => {
    const queue = queueOf(['a', 100], ['b', 100], ['c', 150], ['later', 500]);
    expect(readyInOrder(queue, 200, 10).map((entry) => entry.postId)).toEqual(['a', 'b', 'c']);
    expect(readyInOrder(queue, 200, 2).map((entry) => entry.postId)).toEqual(['a', 'b']);
    expect(readyInOrder(queue, 50, 10)).toEqual([]);
  });

  it('leaves out posts waiting for a retry, a rate limit or the overdue choice, as firstReady does', () => {
    const retried = failedTransiently(queueOf(['a', 100], ['b', 100], ['c', 100]), 'a', 200).queue;
    expect(readyInOrder(retried, 200, 10).map((entry) => entry.postId)).toEqual(['b', 'c']);
    expect(readyInOrder(rateLimited(retried, 1_000), 200, 10)).toEqual([]);
    const held = holdOverdue(queueOf(['a', 100], ['b', 300]), 200, MINUTE);
    expect(readyInOrder(held, 400, 10).map((entry) => entry.postId)).toEqual(['b']);
    // Published one by one, each in turn is what firstReady picks.
    let queue = queueOf(['a', 100], ['b', 100], ['c', 150]);
    const together = readyInOrder(queue, 200, 10).map((entry) => entry.postId);
    const oneByOne: string[] = [];
    for (let entry = firstReady(queue, 200); entry; entry = firstReady(queue, 200)) {
      oneByOne.push(entry.postId);
      queue = remove(queue, entry.postId).queue;
    }
    expect(together).toEqual(oneByOne);
  });

  it('removes a cancelled post and says whether it was there', () => {
    const queue = queueOf(['a', 100]);
    expect(remove(queue, 'a')).toMatchObject({ removed: true, queue: { entries: [] } });
    expect(remove(queue, 'zzz').removed).toBe(false);
  });

  it('holds the whole queue until a rate limit resets', () => {
    const queue = rateLimited(queueOf(['a', 100], ['b', 150]), 10_000);
    expect(firstReady(queue, 9_999)).toBeUndefined();
    expect(nextPublishAt(queue)).toBe(10_000);
    expect(firstReady(queue, 10_000)?.postId).toBe('a');
    expect(rateLimited(queue, 5_000).heldUntil).toBe(10_000);
  });

  it('backs off exponentially on transient failures, then gives up', () => {
    let queue = queueOf(['a', 0]);
    let now = 0;
    const waits: number[] = [];
    for (let failure = 1; failure < MAX_TRANSIENT_FAILURES; failure += 1) {
      const result = failedTransiently(queue, 'a', now);
      expect(result.gaveUp).toBe(false);
      queue = result.queue;
      const retryAt = nextPublishAt(queue)!;
      waits.push(retryAt - now);
      now = retryAt;
    }
    expect(waits).toEqual([1, 2, 4, 8, 16].map((m) => m * MINUTE));
    const last = failedTransiently(queue, 'a', now);
    expect(last.gaveUp).toBe(true);
    expect(last.queue.entries).toEqual([]);
  });

  it('retries at once when asked, still counting the failure', () => {
    const queue = failedTransiently(queueOf(['a', 0]), 'a', 5_000, 0).queue;
    expect(firstReady(queue, 5_000)?.postId).toBe('a');
    expect(queue.entries[0]?.transientFailures).toBe(1);
  });

  it('holds overdue posts after a reconnect until the deadline, then releases them in order', () => {
    const queue = holdOverdue(queueOf(['a', 100], ['b', 200], ['future', 10_000]), 1_000, 5 * MINUTE);
    expect(queue.overdue).toEqual({ postIds: ['a', 'b'], decideBy: 1_000 + 5 * MINUTE });
    expect(firstReady(queue, 1_001)).toBeUndefined();
    expect(nextPublishAt(queue)).toBe(10_000);
    expect(firstReady(queue, 1_000 + 5 * MINUTE)?.postId).toBe('a');
  });

  it('does not hold when nothing is overdue or the window is zero', () => {
    expect(holdOverdue(queueOf(['a', 5_000]), 1_000, MINUTE).overdue).toBeUndefined();
    expect(holdOverdue(queueOf(['a', 100]), 1_000, 0).overdue).toBeUndefined();
  });

  it('applies each overdue choice to the overdue posts only', () => {
    const held = holdOverdue(queueOf(['a', 100], ['b', 200], ['future', 10_000]), 1_000, MINUTE);

    const now = resolveOverdue(held, { choice: 'publishNow' });
    expect(now.postIds).toEqual(['a', 'b']);
    expect(firstReady(now.queue, 1_001)?.postId).toBe('a');

    const skipped = resolveOverdue(held, { choice: 'skip' });
    expect(order(skipped.queue)).toEqual(['future']);

    const moved = resolveOverdue(held, { choice: 'reschedule', at: 20_000 });
    expect(order(moved.queue)).toEqual(['future', 'a', 'b']);
    expect(moved.queue.entries.map((entry) => entry.dueAt)).toEqual([10_000, 20_000, 20_000]);
    expect(moved.queue.overdue).toBeUndefined();
  });

  it('forgets an overdue post that was cancelled or edited meanwhile', () => {
    const held = holdOverdue(queueOf(['a', 100], ['b', 200]), 1_000, MINUTE);
    expect(remove(held, 'a').queue.overdue?.postIds).toEqual(['b']);
    expect(schedule(held, { postId: 'b', dueAt: 50_000 }).queue.overdue?.postIds).toEqual(['a']);
    expect(resolveOverdue(remove(remove(held, 'a').queue, 'b').queue, { choice: 'skip' }).postIds).toEqual([]);
  });

  it('never changes the queue it was given', () => {
    const queue = queueOf(['a', 100]);
    const frozen = JSON.stringify(queue);
    schedule(queue, { postId: 'b', dueAt: 50 });
    failedTransiently(queue, 'a', 0);
    holdOverdue(queue, 1_000, MINUTE);
    rateLimited(queue, 5);
    expect(JSON.stringify(queue)).toBe(frozen);
  });
});
