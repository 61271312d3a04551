import { describe, expect, it } from 'vitest';
import { formatDateTime, phraseReason, phraseRefreshOutcome } from '../../../services/phrasing/index.js';
import { accountWorkflowId, disconnectUpdate, refreshNowUpdate, stateQuery } from '../../../workflows/account/messages.js';
import { isReasonCode } from '../../../workflows/lifecycle/codes.js';
import { useLifecycleWorld, waitFor } from '../../helpers/lifecycle.js';

// The account workflow on the real Temporal dev server, against sandbox tokens that live seconds and
// health checks every few seconds (on X each is a renewal): renewal, platform revocation, reconnect,
// storms of 5xx and 429, disconnect, continue-as-new.

describe('account lifecycle on the dev server', () => {
  const world = useLifecycleWorld({ sandboxSettings: { platformLifetimes: { x: { accessTokenSec: 6 }, bluesky: { accessTokenSec: 6 } } } });

  const HEALTH_CHECK_MS = 5_000;
  const connect = (handle: string, extra: { historyEventLimit?: number } = {}) =>
    world.connect({ platform: 'x', handle, workflowDefaults: { healthCheckMs: HEALTH_CHECK_MS, ...extra } });
  const statusOf = async (accountId: string) => (await world.db.models.Account.findById(accountId).lean())?.status;

  it('renews a rotating X token at every health check, with zero refresh-token reuse', { timeout: 60_000 }, async () => {
    const account = await connect('renews_often');
    expect(account.result).toMatchObject({ accepted: true, state: { status: 'active' } });

    // The sandbox counts a refresh when it answers; the worker stores the rotated pair after that.
    const storedVersion = async () => (await account.store.loadCredentials(account.accountId))?.version ?? 0;
    await waitFor('three renewals stored', async () => (await storedVersion()) >= 4, 40_000);
    const counters = await world.sandbox.control.counters({ platform: 'x', externalId: account.externalId });
    expect(counters.refreshes).toBeGreaterThanOrEqual(3);
    expect(counters.refreshTokenReuse).toBe(0);
    expect((await statusOf(account.accountId))?.state).toBe('active');

    // Tokens never reach Temporal: not the first pair, not the current one.
    const history = JSON.stringify((await world.client.workflow.getHandle(accountWorkflowId(account.accountId)).fetchHistory()).events);
    const current = await account.store.loadCredentials(account.accountId);
    for (const secret of [account.accessToken, account.refreshToken, current?.credentials.accessToken, current?.credentials.refreshToken]) {
      expect(secret && secret.length > 8).toBe(true);
      expect(history).not.toContain(secret!);
    }
  });

  it('expires with the specific reason when the platform revokes, pauses, and comes back on reconnect', { timeout: 60_000 }, async () => {
    const account = await connect('gets_revoked');
    await world.sandbox.control.revoke('x', account.externalId);

    const expired = await waitFor('expired status', async () => {
      const status = await statusOf(account.accountId);
      return status?.state === 'expired' ? status : undefined;
    });
    expect(expired.queuePaused).toBe(true);
    // Recorded as data (a platform code and the platform's words), phrased when a page shows it.
    expect(expired.reason?.message).toBeUndefined();
    expect(isReasonCode(expired.reason!.code)).toBe(true);
    const words = phraseReason(expired.reason!, { platform: 'x', timeZone: 'UTC' });
    expect(words).toMatch(/X/);
    expect(words).not.toMatch(/something went wrong|reported a problem/i);
    const notification = await waitFor('expired notification', () => world.db.models.Notification.findOne({ accountId: account.accountId, kind: 'expired' }).lean().then((n) => n ?? undefined));
    expect(notification.link).toContain(account.accountId);

    // Operators find it from Temporal UI's search alone.
    await waitFor('visibility lists it as expired on X', async () => {
      const query = `TetherStatus = 'expired' AND TetherPlatform = 'x' AND WorkflowId = '${accountWorkflowId(account.accountId)}'`;
      for await (const execution of world.client.workflow.list({ query })) if (execution.workflowId) return true;
      return false;
    });

    // A validator refuses what cannot work, without writing to history.
    const handle = world.client.workflow.getHandle(accountWorkflowId(account.accountId));
    await expect(handle.executeUpdate(refreshNowUpdate)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/reconnect instead/) } });
    const history = await handle.fetchHistory();
    const updateEvents = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateAdmittedEventAttributes);
    expect(updateEvents.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name)).not.toContain('refreshNow');
    expect(JSON.stringify(history.events)).not.toMatch(/refreshNow/);

    const reconnected = await world.connect({ platform: 'x', identity: account.externalId });
    expect(reconnected.accountId).toBe(account.accountId);
    expect(reconnected.created).toBe(false);
    expect(reconnected.result).toMatchObject({ accepted: true, state: { status: 'active', queuePaused: false } });
    expect((await statusOf(account.accountId))?.state).toBe('active');
    expect(await world.db.models.Notification.countDocuments({ accountId: account.accountId, kind: 'reconnected' })).toBe(1);
  });

  it('answers a renew-now of a token that can only be checked: the platform confirmed it', { timeout: 60_000 }, async () => {
    const page = await world.connect({ platform: 'facebook', handle: 'checked_page' });
    expect(page.result).toMatchObject({ accepted: true, state: { status: 'active' } });
    const answer = await world.client.workflow.getHandle(accountWorkflowId(page.accountId)).executeUpdate(refreshNowUpdate);
    // Renew by need describes the grant: for a Page token, until its (sandbox) expiry, or no end.
    expect(answer.outcome).toEqual({ kind: 'checked', validUntil: answer.state.grantExpiresAt, grant: true });
    const until = answer.state.grantExpiresAt;
    expect(phraseRefreshOutcome(answer, { platform: 'facebook', timeZone: 'UTC' })).toBe(
      `Facebook confirmed the token; ${until ? `the connection is valid until ${formatDateTime(until, 'UTC')}` : 'the connection does not expire'}.`,
    );
    expect(answer.state.status).toBe('active');
  });

  it('never expires an account through storms of 5xx and rate limits', { timeout: 90_000 }, async () => {
    const account = await connect('stormy_weather');
    await world.sandbox.control.failNext('x', account.externalId, 4, 503);
    await waitFor('the 5xx storm to pass', async () => (await world.sandbox.control.counters({ platform: 'x', externalId: account.externalId })).refreshes >= 1, 60_000);
    await world.sandbox.control.rateLimit('x', account.externalId, 5);
    const before = (await world.sandbox.control.counters({ platform: 'x', externalId: account.externalId })).refreshes;
    await waitFor('renewals after the rate limit', async () => (await world.sandbox.control.counters({ platform: 'x', externalId: account.externalId })).refreshes >= before + 1, 60_000);

    const status = await statusOf(account.accountId);
    expect(status?.state).toBe('active');
    expect(await world.db.models.Notification.countDocuments({ accountId: account.accountId, kind: 'expired' })).toBe(0);
    expect((await world.sandbox.control.counters({ platform: 'x', externalId: account.externalId })).refreshTokenReuse).toBe(0);
  });

  it('disconnects: revokes at the platform, forgets the tokens and completes the workflow', { timeout: 30_000 }, async () => {
    const account = await connect('leaves_soon');
    const handle = world.client.workflow.getHandle(accountWorkflowId(account.accountId));
    const result = await handle.executeUpdate(disconnectUpdate);
    expect(result).toEqual({ revoke: { code: 'revoked' }, affectedPosts: 0 });
    expect(await handle.result()).toEqual(result);
    expect(await account.store.loadCredentials(account.accountId)).toBeUndefined();
    const stored = await world.db.models.Account.findById(account.accountId).lean();
    expect(stored?.disconnectedAt).toBeInstanceOf(Date);
    expect(stored?.status?.state).toBe('disconnected');
  });

  it('continues-as-new when history grows, carrying its state, and keeps renewing safely', { timeout: 90_000 }, async () => {
    const account = await connect('long_history', { historyEventLimit: 60 });
    const handle = world.client.workflow.getHandle(accountWorkflowId(account.accountId));
    const firstRun = (await handle.describe()).runId;
    await waitFor('a continued-as-new run', async () => (await handle.describe()).runId !== firstRun, 75_000);
    const renewedBefore = (await world.sandbox.control.counters({ platform: 'x', externalId: account.externalId })).refreshes;
    await waitFor('a renewal in the new run', async () => (await world.sandbox.control.counters({ platform: 'x', externalId: account.externalId })).refreshes > renewedBefore, 30_000);
    expect((await handle.query(stateQuery)).status).toBe('active');
    expect((await world.sandbox.control.counters({ platform: 'x', externalId: account.externalId })).refreshTokenReuse).toBe(0);
  });
});
