import { WorkflowUpdateStage } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { CarriedState } from '../../../workflows/account/account.js';
import { PLATFORM } from '../../../workflows/search-attributes.js';
import { disconnectUpdate, reconnectUpdate, refreshNowUpdate, revokedSignal, schedulePostUpdate, stateQuery, testPostUpdate } from '../../../workflows/account/messages.js';
import type { AccountWorkflowInput } from '../../../workflows/account/workflow.js';
import type { Reason } from '../../../workflows/lifecycle/types.js';
import { useWorkflowTestEnvironment, type AccountHandle } from './environment.js';
import { eventually, mostAtOnce, notified, stillPending } from './support.js';

const HOUR = 3_600_000;
/** Events of the continue-as-new test's history once its updates queued: the connect, a refreshNow, a test post and four schedulePost updates. */
const FULL_HISTORY = 59;

/** What the workflow's latest run was started with: the state its predecessor carried over. */
async function carriedInput(handle: AccountHandle): Promise<CarriedState> {
  const { events } = await handle.fetchHistory();
  const payload = events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const input = JSON.parse(Buffer.from(payload?.data ?? []).toString('utf8')) as AccountWorkflowInput;
  if (!input.carried) throw new Error('the run was not continued from another');
  return input.carried;
}

// The account workflow's shell on the time-skipping server with stub activities: disconnect,
// the queue pausing while expired, and continue-as-new carrying the account's state.

describe('account workflow shell', () => {
  const world = useWorkflowTestEnvironment();

  it('connects in one activity: the lifecycle starts active and that activity records the status projection once', async () => {
    const { stub, result } = await world.connect();
    expect(result).toMatchObject({ accepted: true, state: { status: 'active', platform: 'x', queuePaused: false, queue: { queued: 0 } } });
    expect(stub.events.filter((event) => event.phase === 'start').map((event) => event.name)).toEqual(['connectCredentials']);
    expect(stub.calls('connectCredentials')).toEqual([
      expect.objectContaining({ accountId: stub.accountId, verifyWithPlatform: true, describe: true }),
    ]);
    expect(stub.projections).toEqual([expect.objectContaining({ accountId: stub.accountId, status: 'active', queuePaused: false })]);
    // What the workflow holds is what the activity recorded.
    expect(result.state.nextActionAt).toBe(new Date(stub.projections[0]!.nextActionAt!).toISOString());
    expect(result.state.grantExpiresAt).toBe(new Date(stub.projections[0]!.grantExpiresAt!).toISOString());
  });

  it('a connect whose credentials the platform refuses starts expired with its reason, recorded by the workflow', async () => {
    const refused = { kind: 'reauthRequired', code: 'invalid_token', message: 'Token revoked' } as const;
    const { stub, result } = await world.connect({
      prepare: (stub) => {
        stub.answers.connectCredentials = async ({ describe }) => ({
          outcome: 'failed',
          failure: refused,
          unverified: { version: 1, policy: { renewal: 'rotatingRefresh' }, lifetimes: { accessSec: 7200 } },
          ...(describe ? { account: { accountId: stub.accountId, platform: 'x', handle: 'h', displayName: 'H', penNameId: 'p', penName: 'P', ownerId: 'o' } } : {}),
        });
      },
    });
    expect(result).toMatchObject({ accepted: false, rejection: { code: 'reauth_required', detail: 'Token revoked' }, state: { status: 'expired', queuePaused: true } });
    expect(stub.calls('describeAccount')).toHaveLength(0);
    expect(stub.calls('connectCredentials')[0]?.record.lifecycle).toBeUndefined();
    expect(stub.calls('recordStatus').map((projection) => projection.status)).toEqual(['active', 'expired']);
  });

  it('disconnects: revokes once, fails the queued posts, and completes with the result', async () => {
    const { stub, handle } = await world.connect();
    stub.scheduledPosts = 2;
    const dueAt = await world.isoIn(HOUR);
    await handle.executeUpdate(schedulePostUpdate, { args: [{ postId: 'post-1', dueAt }] });
    await handle.executeUpdate(schedulePostUpdate, { args: [{ postId: 'post-2', dueAt }] });

    const result = await handle.executeUpdate(disconnectUpdate);
    expect(result).toEqual({ revoke: { code: 'revoked' }, affectedPosts: 2 });
    expect(await handle.result()).toEqual(result);
    expect(stub.calls('revokeCredentials')).toEqual([stub.accountId]);
    expect(stub.calls('failScheduledPosts')).toEqual([{ accountId: stub.accountId, reason: { code: 'account_disconnected', message: expect.any(String) }, postIds: ['post-1', 'post-2'] }]);
    expect(stub.calls('notify').map((call) => call.kind)).toEqual(['disconnected']);
    expect(stub.calls('recordStatus').at(-1)).toMatchObject({ status: 'disconnected', queuePaused: false });
  });

  it('a revoke answered in the shape of histories recorded before revoke outcomes were codes still completes the disconnect', async () => {
    const { stub, handle } = await world.connect();
    const legacy = { revokedAtPlatform: false, message: 'Could not revoke access at X (X answered HTTP 503)' };
    stub.answers.revokeCredentials = async () => legacy as never;
    expect(await handle.executeUpdate(disconnectUpdate)).toEqual({ revoke: { code: 'failed', detail: legacy.message }, affectedPosts: 0 });
    stub.answers.revokeCredentials = undefined;
    const { stub: revoked, handle: second } = await world.connect();
    revoked.answers.revokeCredentials = async () => ({ revokedAtPlatform: true, message: 'Access revoked at X' }) as never;
    expect(await second.executeUpdate(disconnectUpdate)).toEqual({ revoke: { code: 'revoked' }, affectedPosts: 0 });
  });

  it('renew now answers what came of it as data', async () => {
    const { stub, handle } = await world.connect();
    const renewed = await handle.executeUpdate(refreshNowUpdate);
    expect(renewed.outcome).toEqual({ kind: 'renewed', validUntil: renewed.state.grantExpiresAt, grant: true });
    expect(Date.parse(renewed.state.tokenExpiresAt!) - Date.parse(await world.isoIn(0))).toBeGreaterThan(7000_000);

    stub.answers.renewCredentials = async () => ({ outcome: 'failed', failure: { kind: 'transient', message: 'X is having trouble (HTTP 503); Tether will retry' } });
    const failed = await handle.executeUpdate(refreshNowUpdate);
    expect(failed.outcome).toEqual({ kind: 'failed', reason: { code: 'renewal_retrying', at: expect.any(Number), detail: 'X is having trouble (HTTP 503); Tether will retry' } });
    expect(failed.state).toMatchObject({ status: 'active', reason: failed.outcome.kind === 'failed' ? failed.outcome.reason : undefined, nextAction: 'retryRenewal' });

    // Nothing can renew a LinkedIn token without partner access: nothing is started, and the answer says why.
    const { handle: linkedin } = await world.connect({ platform: 'linkedin' });
    const unavailable = await linkedin.executeUpdate(refreshNowUpdate);
    const expiresAt = Date.parse(unavailable.state.tokenExpiresAt!);
    expect(unavailable.outcome).toEqual({ kind: 'nothingToDo', validUntil: unavailable.state.grantExpiresAt, grant: true, reason: { code: 'renewal_unavailable', at: expiresAt } });

    // A token that is checked rather than renewed.
    const { handle: page } = await world.connect({ prepare: (pageStub) => Object.assign(pageStub, { policy: { renewal: 'validate', validateEverySec: 43_200 }, lifetimes: {} }) });
    expect((await page.executeUpdate(refreshNowUpdate)).outcome.kind).toBe('checked');
  });

  it('records the next action as a code and the reason as data', async () => {
    const { stub, handle } = await world.connect();
    expect(stub.projections.at(-1)).toMatchObject({ nextAction: 'check', nextActionAt: expect.any(Number) });
    expect((await handle.query(stateQuery)).nextAction).toBe('check');
  });

  it('pauses the queue exactly while the account is expired', async () => {
    const { stub, handle } = await world.connect();
    const reason: Reason = { code: 'app_removed' };
    await handle.signal(revokedSignal, { reason });
    await notified(stub, 'expired');
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'expired', reason, queuePaused: true });
    expect(stub.calls('recordStatus').at(-1)).toMatchObject({ status: 'expired', reason, queuePaused: true });
    const reconnected = await handle.executeUpdate(reconnectUpdate);
    expect(reconnected).toMatchObject({ accepted: true, state: { status: 'active', queuePaused: false } });
    // The reconnect's one activity recorded it, with a sequence above the expiry's.
    expect(stub.calls('connectCredentials').at(-1)).toMatchObject({ verifyWithPlatform: true, describe: false, record: { lifecycle: { status: 'expired' } } });
    expect(stub.projections.at(-1)).toMatchObject({ status: 'active', queuePaused: false });
    expect(stub.projections.at(-1)!.sequence).toBeGreaterThan(stub.calls('recordStatus').at(-1)!.sequence);
    expect(stub.calls('notify').map((call) => call.kind)).toEqual(['expired', 'reconnected']);
  });

  it('continues as new once its handlers finish, carrying lifecycle, queue, credential version, projection sequence and summary', async () => {
    // The limit is reached once the four schedulePost updates below are in the history, not before.
    const { stub, handle } = await world.connect({ input: { historyEventLimit: FULL_HISTORY } });
    const firstRunId = (await handle.describe()).runId;
    await handle.executeUpdate(refreshNowUpdate);
    expect(stub.version).toBe(2);

    // A test post holds the lock while more updates queue behind it and fill the history.
    const publishing = stub.hold('publishPost');
    const testing = handle.executeUpdate(testPostUpdate, { args: [{ postId: 'test-1' }] });
    await publishing.started;
    const scheduling = [];
    for (const n of [1, 2, 3, 4]) {
      scheduling.push(await handle.startUpdate(schedulePostUpdate, { args: [{ postId: `post-${n}`, dueAt: await world.isoIn((5 + n) * HOUR) }], waitForStage: WorkflowUpdateStage.ACCEPTED }));
    }
    await eventually('a full history', async () => ((await handle.fetchHistory()).events?.length ?? 0) >= FULL_HISTORY);
    expect(await stillPending(testing)).toBe(true);
    expect((await handle.describe()).runId).toBe(firstRunId);

    publishing.release();
    expect(await testing).toMatchObject({ outcome: 'published' });
    expect((await Promise.all(scheduling.map((update) => update.result()))).map((result) => result.position)).toEqual([1, 2, 3, 4]);
    await eventually('the next run', async () => (await handle.describe()).runId !== firstRunId);
    const lastRun = await world.client.workflow.getHandle(handle.workflowId, firstRunId).query(stateQuery);

    const carried = await carriedInput(handle);
    expect(carried.account).toMatchObject({ accountId: stub.accountId, platform: 'x', penName: 'Stub Notes', ownerId: 'owner-1' });
    expect(carried.knownVersion).toBe(2);
    // The renewal wrote the last projection itself, with the sequence reserved for it.
    expect(carried.projectionSequence).toBe(stub.projections.at(-1)?.sequence);
    expect(carried.queue?.entries.map((entry) => entry.postId)).toEqual(['post-1', 'post-2', 'post-3', 'post-4']);
    expect(carried.lifecycle).toMatchObject({ accountId: stub.accountId, status: 'active' });

    // The new run answers from what it carried, and goes on from it.
    expect(await handle.query(stateQuery)).toEqual(lastRun);
    const recorded = stub.projections.length;
    await handle.executeUpdate(refreshNowUpdate);
    expect(stub.calls('renewCredentials').map((call) => call.knownVersion)).toEqual([1, 2]);
    const next = stub.projections.slice(recorded);
    expect(next[0]?.sequence).toBeGreaterThan(carried.projectionSequence);
    expect(stub.calls('connectCredentials').map((call) => call.describe)).toEqual([true]);
    expect((await handle.describe()).typedSearchAttributes.get(PLATFORM)).toBe('x');
    expect(mostAtOnce(stub.events)).toBe(1);
  });
});
