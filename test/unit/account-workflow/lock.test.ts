import { WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import {
  checkPremiumUpdate,
  disconnectUpdate,
  refreshNowUpdate,
  resolveOverdueUpdate,
  revokedSignal,
  schedulePostUpdate,
  stateQuery,
  testPostUpdate,
  unschedulePostUpdate,
} from '../../../workflows/account/messages.js';
import { useWorkflowTestEnvironment } from './environment.js';
import { mostAtOnce, notified, stillPending } from './support.js';

// The lock rule of workflows/account/workflow.ts: every update, signal and wake runs under the
// account's lock, in arrival order, so no two interleave their activities and each sees the state
// the one before it left; queries never wait for it.

const HOUR = 3_600_000;
const ACCEPTED = WorkflowUpdateStage.ACCEPTED;
const REFUSED = { kind: 'reauthRequired', code: 'refresh_token_invalid', message: 'X no longer accepts this authorization' } as const;

describe('account workflow lock', () => {
  const world = useWorkflowTestEnvironment();

  it('a post scheduled during a renewal waits for it and sees the state it left', async () => {
    const { stub, handle } = await world.connect();
    stub.answers.renewCredentials = async () => ({ outcome: 'failed', failure: REFUSED });
    const renewing = stub.hold('renewCredentials');
    const refreshing = handle.executeUpdate(refreshNowUpdate);
    await renewing.started;

    const scheduling = handle.executeUpdate(schedulePostUpdate, { args: [{ postId: 'post-1', dueAt: await world.isoIn(HOUR) }] });
    expect(await stillPending(scheduling)).toBe(true);
    // Queries do not wait: the post is not queued yet, and the account is still active.
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'active', queue: { queued: 0 } });

    renewing.release();
    const refused = { code: REFUSED.code, detail: REFUSED.message };
    expect(await refreshing).toMatchObject({ state: { status: 'expired', reason: refused }, outcome: { kind: 'failed', reason: refused } });
    expect(await scheduling).toEqual({ position: 1, queued: 1, waitsForReconnect: refused });
  });

  it('concurrent updates run one after the other, in arrival order, never interleaving their activities', async () => {
    const { stub, handle } = await world.connect();
    const renewing = stub.hold('renewCredentials');
    const refreshing = handle.executeUpdate(refreshNowUpdate);
    await renewing.started;
    // Accepted one after the other, so they arrive in this order.
    const testing = await handle.startUpdate(testPostUpdate, { args: [{ postId: 'test-1' }], waitForStage: ACCEPTED });
    const checking = await handle.startUpdate(checkPremiumUpdate, { waitForStage: ACCEPTED });
    expect(await stillPending(checking.result())).toBe(true);
    expect(stub.calls('publishPost')).toEqual([]);

    renewing.release();
    const refreshed = await refreshing;
    expect(refreshed.outcome).toEqual({ kind: 'renewed', validUntil: refreshed.state.grantExpiresAt, grant: true });
    expect(await testing.result()).toEqual({ outcome: 'published', url: 'https://platform.test/posts/test-1' });
    expect(await checking.result()).toEqual({ ok: true, premium: { subscriptionType: 'Premium' } });
    const afterConnect = stub.events.findIndex((event) => event.name === 'renewCredentials');
    const started = stub.events.slice(afterConnect).filter((event) => event.phase === 'start').map((event) => event.name);
    // One activity per renewal: it wrote the status projection with its outcome.
    expect(started).toEqual(['renewCredentials', 'publishPost', 'checkPremium']);
    expect(mostAtOnce(stub.events)).toBe(1);
  });

  it('a queue update waits too: unschedulePost and the overdue choice run after the renewal', async () => {
    const { stub, handle } = await world.connect({ input: { overdueDecisionMs: 10 * 60_000 } });
    const dueAt = await world.isoIn(60_000);
    await handle.executeUpdate(schedulePostUpdate, { args: [{ postId: 'overdue-1', dueAt }] });
    await handle.executeUpdate(schedulePostUpdate, { args: [{ postId: 'later-1', dueAt: await world.isoIn(5 * HOUR) }] });
    await handle.signal(revokedSignal, { reason: { code: 'app_removed', message: 'Removed' } });
    await notified(stub, 'expired');
    await world.env.sleep(2 * 60_000);
    expect((await handle.executeUpdate('reconnect')) as unknown).toMatchObject({ state: { queue: { overdue: { postIds: ['overdue-1'] } } } });

    const renewing = stub.hold('renewCredentials');
    const refreshing = handle.executeUpdate(refreshNowUpdate);
    await renewing.started;
    const unscheduling = handle.executeUpdate(unschedulePostUpdate, { args: [{ postId: 'later-1' }] });
    const skipping = handle.executeUpdate(resolveOverdueUpdate, { args: [{ choice: 'skip' }] });
    expect(await stillPending(skipping)).toBe(true);
    expect(await stillPending(unscheduling, 0)).toBe(true);
    expect(stub.calls('settleOverdue')).toEqual([]);

    renewing.release();
    await refreshing;
    expect(await unscheduling).toEqual({ removed: true });
    expect(await skipping).toEqual({ postIds: ['overdue-1'] });
    expect(stub.calls('settleOverdue')).toEqual([{ accountId: stub.accountId, postIds: ['overdue-1'], change: { skip: expect.objectContaining({ code: 'skipped' }) } }]);
    expect(await handle.query(stateQuery)).toMatchObject({ queue: { queued: 0 } });
    expect(mostAtOnce(stub.events)).toBe(1);
  });

  it('an update accepted before a disconnect that runs first fails with its validator\'s words', async () => {
    const { stub, handle } = await world.connect();
    const renewing = stub.hold('renewCredentials');
    const refreshing = handle.executeUpdate(refreshNowUpdate);
    await renewing.started;
    const disconnecting = await handle.startUpdate(disconnectUpdate, { waitForStage: ACCEPTED });
    const dueAt = await world.isoIn(HOUR);
    const scheduling = await handle.startUpdate(schedulePostUpdate, { args: [{ postId: 'post-1', dueAt }], waitForStage: ACCEPTED });

    renewing.release();
    await refreshing;
    expect(await disconnecting.result()).toEqual({ revoke: { code: 'revoked' }, affectedPosts: 0 });
    const refused = await scheduling.result().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toBe('This account was disconnected; choose another account.');
    expect(await handle.result()).toMatchObject({ revoke: { code: 'revoked' } });
    expect(stub.calls('failScheduledPosts')).toEqual([]);
  });

  it('the wake loop takes its turn too: an update sent while it publishes a due post waits for the publish', async () => {
    const { stub, handle } = await world.connect();
    const dueAt = await world.isoIn(1_000);
    await handle.executeUpdate(schedulePostUpdate, { args: [{ postId: 'post-1', dueAt }] });
    const publishing = stub.hold('publishDuePosts');
    const sleeping = world.env.sleep(2_000);
    await publishing.started;
    await sleeping;
    const checking = handle.executeUpdate(checkPremiumUpdate);
    expect(await stillPending(checking)).toBe(true);
    expect(stub.calls('checkPremium')).toEqual([]);

    publishing.release();
    expect(await checking).toMatchObject({ ok: true });
    const started = stub.events.filter((event) => event.phase === 'start').map((event) => event.name);
    expect(started.slice(started.indexOf('publishDuePosts'))).toEqual(['publishDuePosts', 'checkPremium']);
    expect(mostAtOnce(stub.events)).toBe(1);
  });
});
