import { describe, expect, it } from 'vitest';
import type { PublishResult } from '../../../activities/publishing/contract.js';
import { schedulePostUpdate, stateQuery } from '../../../workflows/account/messages.js';
import { useWorkflowTestEnvironment } from './environment.js';
import type { StubAccount } from './stub-activities.js';
import { eventually } from './support.js';

// Posts due together go out in one activity (patch `publish-due-together`), in queue order, on the
// time-skipping server with stub activities. The activity stops at the first post that needs the
// account's attention; the workflow renews, waits or backs off as it does for a single post, then
// publishes the rest in the next activity.

const MINUTE = 60_000;
const published = (postId: string): PublishResult => ({ outcome: 'published', url: `https://platform.test/posts/${postId}`, externalId: `ext-${postId}` });
const REFUSED: PublishResult = { outcome: 'reauthRequired', reason: { code: 'access_token_invalid', message: 'Unauthorized' } };

/** Answers `answer` the first time `postId` is published, and publishes everything else. */
function onceFor(stub: StubAccount, postId: string, answer: PublishResult): void {
  let answered = false;
  stub.answers.publishPost = async (target) => {
    if (target.postId !== postId || answered) return published(target.postId);
    answered = true;
    return answer;
  };
}

describe('posts due together', () => {
  const world = useWorkflowTestEnvironment();

  const scheduleTogether = async (handle: Awaited<ReturnType<typeof world.connect>>['handle'], postIds: string[], inMs: number) => {
    const dueAt = await world.isoIn(inMs);
    for (const postId of postIds) await handle.executeUpdate(schedulePostUpdate, { args: [{ postId, dueAt }] });
  };
  const batches = (stub: StubAccount) => stub.calls('publishDuePosts').map((call) => call.postIds);

  it('go out in one activity, in queue order', async () => {
    const { stub, handle } = await world.connect();
    await scheduleTogether(handle, ['post-1', 'post-2', 'post-3'], MINUTE);
    await handle.executeUpdate(schedulePostUpdate, { args: [{ postId: 'later', dueAt: await world.isoIn(60 * MINUTE) }] });
    await world.env.sleep(2 * MINUTE);
    await eventually('the three posts published', async () => (await handle.query(stateQuery)).queue.queued === 1);
    expect(batches(stub)).toEqual([['post-1', 'post-2', 'post-3']]);
    expect(stub.calls('publishPost')).toEqual([]);
  });

  it('a token refused at the second post: the first stays published, the token is renewed, and the rest go out in order', async () => {
    const { stub, handle } = await world.connect();
    onceFor(stub, 'post-2', REFUSED);
    await scheduleTogether(handle, ['post-1', 'post-2', 'post-3'], MINUTE);
    await world.env.sleep(2 * MINUTE);
    await eventually('every post published', async () => (await handle.query(stateQuery)).queue.queued === 0);
    expect(batches(stub)).toEqual([['post-1', 'post-2', 'post-3'], ['post-2', 'post-3']]);
    const started = stub.events.filter((event) => event.phase === 'start').map((event) => event.name);
    expect(started.slice(started.indexOf('publishDuePosts'))).toEqual(['publishDuePosts', 'renewCredentials', 'publishDuePosts']);
    expect((await handle.query(stateQuery)).status).toBe('active');
  });

  it('a rate limit at the second post holds the rest until the reset', async () => {
    const { stub, handle } = await world.connect();
    const dueAt = (await world.now()) + MINUTE;
    const resetAt = dueAt + 15 * MINUTE;
    onceFor(stub, 'post-2', { outcome: 'rateLimited', resetAt, reason: { code: 'rate_limited', message: 'X is rate-limiting' } });
    await scheduleTogether(handle, ['post-1', 'post-2', 'post-3'], MINUTE);
    await world.env.sleep(20 * MINUTE);
    await eventually('every post published', async () => (await handle.query(stateQuery)).queue.queued === 0);
    expect(batches(stub)).toEqual([['post-1', 'post-2', 'post-3'], ['post-2', 'post-3']]);
    const [, afterReset] = stub.times('publishDuePosts');
    expect(afterReset).toBeGreaterThanOrEqual(resetAt);
  });

  it('a rejected post fails alone: the activity goes on with the next one', async () => {
    const { stub, handle } = await world.connect();
    onceFor(stub, 'post-2', { outcome: 'rejected', reason: { code: 'rejected', message: 'Duplicate content' } });
    await scheduleTogether(handle, ['post-1', 'post-2', 'post-3'], MINUTE);
    await world.env.sleep(2 * MINUTE);
    await eventually('the queue empty', async () => (await handle.query(stateQuery)).queue.queued === 0);
    expect(batches(stub)).toEqual([['post-1', 'post-2', 'post-3']]);
  });
});
