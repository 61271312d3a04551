import { describe, expect, it } from 'vitest';
import type { CarriedState } from '../../../workflows/account/account.js';
import { refreshNowUpdate, schedulePostUpdate, stateQuery, testPostUpdate } from '../../../workflows/account/messages.js';
import { startLifecycle } from '../../../workflows/lifecycle/state.js';
import { emptyQueue } from '../../../workflows/publishing/queue.js';
import { useWorkflowTestEnvironment } from './environment.js';
import type { StubAccount } from './stub-activities.js';
import { eventually, notified, reachStatus } from './support.js';

// The account workflow renews by need (lifecycle schema 2) on the time-skipping server with stub
// activities: an idle X account renews once a day (the renewal is its health check), a scheduled
// post finds a renewal minutes before it, a health check that finds the grant revoked expires the
// account with the platform's reason, "Renew now" renews at once, each renewal is one activity
// that also writes the status projection, and a workflow carrying legacy state migrates.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const REVOKED = { kind: 'reauthRequired', code: 'refresh_token_invalid', message: 'Value passed for the token was invalid.' } as const;

/** Workflow time at the workflow's `Date.now()` and the server's schedule time of the activity it then starts differ by milliseconds. */
const near = (expected: number) => expect.toSatisfy((actual: number) => Math.abs(actual - expected) < 1000, `within a second of ${new Date(expected).toISOString()}`);

/** Every renewal carried what to record and wrote the projection itself, as the connect did: no recordStatus. */
function renewalsRecordedThemselves(stub: StubAccount): void {
  expect(stub.calls('renewCredentials').every((input) => input.record !== undefined)).toBe(true);
  expect(stub.calls('recordStatus')).toHaveLength(0);
}

describe('renew by need', () => {
  const world = useWorkflowTestEnvironment();

  it('an idle X account renews about once a day over 30 days, each renewal one activity', { timeout: 120_000 }, async () => {
    const { stub, handle } = await world.connect();
    const connectedAt = await world.now();
    for (let day = 0; day < 30; day += 5) await world.env.sleep(5 * DAY);
    const renewals = stub.times('renewCredentials');
    expect(renewals.length).toBeGreaterThanOrEqual(26);
    expect(renewals.length).toBeLessThanOrEqual(30);
    renewals.slice(1).forEach((at, i) => expect(at - renewals[i]!).toBeGreaterThanOrEqual(DAY));
    expect(renewals[0]! - connectedAt).toBeGreaterThanOrEqual(DAY);
    renewalsRecordedThemselves(stub);
    const state = await handle.query(stateQuery);
    expect(state).toMatchObject({ status: 'active', nextAction: 'check' });
    expect(Date.parse(state.lastCheckedAt!)).toEqual(near(renewals.at(-1)!));
    expect(Date.parse(state.nextCheckAt!) - Date.parse(state.lastCheckedAt!)).toBeGreaterThanOrEqual(DAY);
    expect(Date.parse(state.grantExpiresAt!)).toBeGreaterThan((await world.now()) + 170 * DAY);
    expect(stub.projections.at(-1)).toMatchObject({ status: 'active', lastCheckedAt: near(renewals.at(-1)!) });
  });

  it('a scheduled post goes out right after a renewal 5–10 minutes before it is due', { timeout: 60_000 }, async () => {
    // Checks a month apart: only the post needs the token in these days.
    const { stub, handle } = await world.connect({ input: { healthCheckMs: 30 * DAY } });
    const dueAt = (await world.now()) + 3 * DAY + 5 * HOUR;
    await handle.executeUpdate(schedulePostUpdate, { args: [{ postId: 'post-1', dueAt: new Date(dueAt).toISOString() }] });
    await world.env.sleep(3 * DAY + 6 * HOUR);
    await eventually('the post published', async () => stub.calls('publishDuePosts').length > 0);
    const [published] = stub.times('publishDuePosts');
    const renewedBefore = stub.times('renewCredentials').filter((at) => at <= published!);
    expect(published).toBeGreaterThanOrEqual(dueAt);
    expect(published! - dueAt).toBeLessThan(MINUTE);
    const last = renewedBefore.at(-1)!;
    expect(dueAt - last).toBeGreaterThanOrEqual(5 * MINUTE);
    expect(dueAt - last).toBeLessThanOrEqual(10 * MINUTE);
    expect(renewedBefore).toEqual([last]);
    renewalsRecordedThemselves(stub);
  });

  it('with daily checks, a post still goes out with a token renewed under two hours before, and no extra renewal', { timeout: 60_000 }, async () => {
    const { stub, handle } = await world.connect();
    const dueAt = (await world.now()) + 2 * DAY + 7 * HOUR;
    await handle.executeUpdate(schedulePostUpdate, { args: [{ postId: 'post-1', dueAt: new Date(dueAt).toISOString() }] });
    await world.env.sleep(2 * DAY + 8 * HOUR);
    await eventually('the post published', async () => stub.calls('publishDuePosts').length > 0);
    const [published] = stub.times('publishDuePosts');
    const renewedBefore = stub.times('renewCredentials').filter((at) => at <= published!);
    // The 2-hour token lives at least 10 minutes past the due time.
    expect(dueAt - renewedBefore.at(-1)!).toBeLessThanOrEqual(110 * MINUTE);
    // One renewal a day at most: the renewal for the post counts as that day's check.
    renewedBefore.slice(1).forEach((at, i) => expect(at - renewedBefore[i]!).toBeGreaterThanOrEqual(2 * HOUR));
    expect(renewedBefore.length).toBeLessThanOrEqual(3);
  });

  it('a test post on an account idle for hours renews first, then publishes once', async () => {
    const { stub, handle } = await world.connect();
    await world.env.sleep(5 * HOUR);
    expect(stub.calls('renewCredentials')).toHaveLength(0);
    expect(await handle.executeUpdate(testPostUpdate, { args: [{ postId: 'test-1' }] })).toMatchObject({ outcome: 'published' });
    const started = stub.events.filter((event) => event.phase === 'start').map((event) => event.name);
    expect(started.slice(-2)).toEqual(['renewCredentials', 'publishPost']);
  });

  it('a health check that finds the grant revoked expires the account with X\'s reason, in the same activity', { timeout: 60_000 }, async () => {
    const { stub, handle } = await world.connect();
    stub.answers.renewCredentials = async () => ({ outcome: 'failed', failure: REVOKED });
    await world.env.sleep(DAY + 3 * HOUR);
    await notified(stub, 'expired');
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'expired', reason: { code: REVOKED.code, detail: REVOKED.message }, queuePaused: true });
    expect(stub.calls('renewCredentials')).toHaveLength(1);
    expect(stub.calls('recordStatus')).toHaveLength(0); // the connect and the check recorded themselves
    expect(stub.projections.at(-1)).toMatchObject({ status: 'expired', reason: { code: REVOKED.code }, queuePaused: true });
  });

  it('LinkedIn: the daily introspection finding the token revoked expires the account with LinkedIn\'s reason', { timeout: 60_000 }, async () => {
    const { stub, handle } = await world.connect({ platform: 'linkedin', prepare: (account) => (account.lifetimes = { accessSec: 60 * 86_400 }) });
    const refusal = { kind: 'reauthRequired', code: 'token_revoked', message: 'LinkedIn says the member revoked Tether’s access' } as const;
    await world.env.sleep(DAY + 3 * HOUR);
    expect(stub.calls('validateCredentials')).toHaveLength(1);
    stub.answers.validateCredentials = async () => ({ outcome: 'failed', failure: refusal });
    await world.env.sleep(DAY + 3 * HOUR);
    await reachStatus(handle, 'expired');
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'expired', reason: { code: 'token_revoked' } });
    expect(stub.calls('renewCredentials')).toHaveLength(0);
  });

  it('"Renew now" renews at once and moves the next check a day on', async () => {
    const { stub, handle } = await world.connect();
    await world.env.sleep(5 * HOUR);
    const result = await handle.executeUpdate(refreshNowUpdate);
    expect(result.outcome).toEqual({ kind: 'renewed', validUntil: result.state.grantExpiresAt, grant: true });
    const [renewedAt] = stub.times('renewCredentials');
    expect(Date.parse(result.state.lastCheckedAt!)).toEqual(near(renewedAt!));
    expect(Date.parse(result.state.nextCheckAt!) - renewedAt!).toBeGreaterThanOrEqual(DAY);
    renewalsRecordedThemselves(stub);
  });

  it('a workflow carrying legacy state moves to renew by need on its first task, without a reconnect', { timeout: 60_000 }, async () => {
    const start = await world.now();
    const legacy = (stub: StubAccount): CarriedState => ({
      account: { accountId: stub.accountId, platform: 'x', handle: 'stub_account', displayName: 'Stub Account', penNameId: 'pen-1', penName: 'Stub Notes', ownerId: 'owner-1' },
      lifecycle: startLifecycle(
        { accountId: stub.accountId, platform: 'x', config: { warningLeadMs: 7 * DAY }, schemaVersion: 1 },
        { now: start, policy: { renewal: 'rotatingRefresh' }, lifetimes: { accessSec: 7200, refreshSec: 180 * 86_400 }, jitter: 0.5 },
      ).state,
      knownVersion: 1,
      projectionSequence: 0,
      queue: emptyQueue(),
    });
    const { stub, handle } = await world.start({ input: (stub) => ({ carried: legacy(stub) }) });
    await eventually('the migration recorded', async () => stub.calls('recordStatus').length > 0);
    // It read the stored credentials for the adapter's current policy, without asking the platform.
    expect(stub.calls('inspectCredentials')).toEqual([{ accountId: stub.accountId, verifyWithPlatform: false }]);
    expect(stub.calls('recordStatus')[0]).toMatchObject({ status: 'active', lastCheckedAt: start, nextCheckAt: expect.any(Number) });
    // Legacy rules would renew every 1.5–1.7 hours: 28 or more times in two days.
    await world.env.sleep(2 * DAY);
    expect(stub.calls('renewCredentials').length).toBeLessThanOrEqual(2);
    const { events } = await handle.fetchHistory();
    const markers = (events ?? []).filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_patch');
    expect(markers).toHaveLength(1);
  });
});
