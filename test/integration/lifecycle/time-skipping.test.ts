import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationKind } from '../../../db/models/notification.js';
import { formatDateTime, phraseReason } from '../../../services/phrasing/index.js';
import { accountWorkflowId } from '../../../workflows/account/messages.js';
import { targetIdOf } from '../../../db/models/post-target.js';
import { GRANT_EXPIRES_AT, PLATFORM, STATUS } from '../../../workflows/search-attributes.js';
import { connectThroughSandbox, createOwner, waitFor, type Owner } from '../../helpers/lifecycle.js';
import { DAY_MS, startTimeSkippingStack, type TimeSkippingStack } from '../../helpers/time-skipping.js';
import { schedulePosts, workflowTarget } from '../publishing/support.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

// The account workflow over production token lifetimes (days, months) on Temporal's time-skipping
// test server: the workflow's clock jumps, the sandbox and MongoDB run on real time. Renewal by
// need: an idle X account renews about once a day, and a post finds a token renewed minutes before it.

describe('account lifecycle over simulated months', () => {
  let stack: TimeSkippingStack;
  let owner: Owner;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    owner = await createOwner(stack.db);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const connectWith = (platform: 'x' | 'linkedin', who: { identity: string } | { handle: string }, workflowDefaults: { healthCheckMs?: number } = {}) =>
    connectThroughSandbox({ config: stack.config, db: stack.db, client: stack.env.client, sandboxUrl: stack.sandbox.url, owner, platform, ...who, workflowDefaults });
  const connect = (platform: 'x' | 'linkedin', who: { identity: string } | { handle: string }) => connectWith(platform, who);
  const statusOf = async (accountId: string) => (await stack.db.models.Account.findById(accountId).lean())?.status;
  const notifications = (accountId: string, kind: NotificationKind) => stack.db.models.Notification.find({ accountId, kind }).lean();
  /** Advances the workflow clock to `at`, in steps of at most five days. */
  const skipTo = async (at: number) => {
    for (let now = await stack.now(); now < at; now = await stack.now()) await stack.env.sleep(Math.min(at - now, 5 * DAY_MS));
  };
  /** Advances the workflow clock to `day` days after `start`. */
  const skipToDay = (start: number, day: number) => skipTo(start + day * DAY_MS);
  /** Moves the sandbox's clock (real time plus an offset) up to the workflow's. */
  const syncSandboxClock = async () => {
    const behindMs = (await stack.now()) - Date.parse((await stack.sandbox.control.clock()).now);
    if (behindMs > 0) await stack.sandbox.control.advanceClock(Math.floor(behindMs / 1000));
  };

  it('warns a week ahead, expires a 60-day LinkedIn token with its reason, and resumes on reconnect', { timeout: 120_000 }, async () => {
    const start = await stack.now();
    const account = await connect('linkedin', { identity: 'liALICE1xYz' });
    expect(account.result).toMatchObject({ accepted: true, state: { status: 'active', queuePaused: false } });

    // Not a day before the week of warning.
    await skipToDay(start, 52);
    expect((await statusOf(account.accountId))?.state).toBe('active');
    expect(await notifications(account.accountId, 'expiring')).toHaveLength(0);

    await skipToDay(start, 54);
    const expiring = await waitFor('expiring status', async () => {
      const status = await statusOf(account.accountId);
      return status?.state === 'expiring' ? status : undefined;
    });
    expect(expiring.warningDeadline?.getTime()).toBeGreaterThanOrEqual(start + 60 * DAY_MS - 60_000);
    expect(expiring.warningDeadline?.getTime()).toBeLessThanOrEqual(start + 60 * DAY_MS + 60_000);
    expect(expiring.queuePaused).toBe(false);
    await waitFor('expiring notification', async () => (await notifications(account.accountId, 'expiring')).length > 0);
    const [warning, ...others] = await notifications(account.accountId, 'expiring');
    expect(others).toHaveLength(0);
    expect(warning?.deadline?.getTime()).toBe(expiring.warningDeadline?.getTime());

    await skipToDay(start, 61);
    const expired = await waitFor('expired status', async () => {
      const status = await statusOf(account.accountId);
      return status?.state === 'expired' ? status : undefined;
    });
    expect(expired.queuePaused).toBe(true);
    expect(expired.reason).toEqual({ code: 'access_expired', at: expiring.warningDeadline });
    expect(phraseReason(expired.reason!, { platform: 'linkedin', timeZone: 'UTC' })).toBe(`The LinkedIn access token expired on ${formatDateTime(expiring.warningDeadline!, 'UTC')} — reconnect to continue`);
    await waitFor('expired notification', async () => (await notifications(account.accountId, 'expired')).length > 0);
    expect(await notifications(account.accountId, 'expired')).toHaveLength(1);
    expect(await notifications(account.accountId, 'expiring')).toHaveLength(1);
    // What operators see in Temporal UI follows the same clock.
    const described = await stack.env.client.workflow.getHandle(accountWorkflowId(account.accountId)).describe();
    expect(described.typedSearchAttributes.get(STATUS)).toBe('expired');
    expect(described.typedSearchAttributes.get(PLATFORM)).toBe('linkedin');
    expect(await described.staticSummary()).toMatch(/on LinkedIn — Morning Notes$/);

    await skipToDay(start, 62);
    const reconnected = await connect('linkedin', { identity: 'liALICE1xYz' });
    expect(reconnected.accountId).toBe(account.accountId);
    expect(reconnected.created).toBe(false);
    expect(reconnected.result).toMatchObject({ accepted: true, state: { status: 'active', queuePaused: false } });
    const active = await waitFor('active status', async () => {
      const status = await statusOf(account.accountId);
      return status?.state === 'active' ? status : undefined;
    });
    expect(active.queuePaused).toBe(false);
    expect(active.reason).toBeUndefined();
    expect(active.tokenExpiresAt?.getTime()).toBeGreaterThan(start + 120 * DAY_MS);
    await waitFor('reconnected notification', async () => (await notifications(account.accountId, 'reconnected')).length > 0);
    expect(await notifications(account.accountId, 'reconnected')).toHaveLength(1);
    expect(await notifications(account.accountId, 'expired')).toHaveLength(1);
  });

  it('an idle X account renews about once a day for 30 simulated days, with zero refresh-token reuse', { timeout: 300_000 }, async () => {
    const start = await stack.now();
    const account = await connect('x', { handle: 'month_of_checks' });
    expect(account.result).toMatchObject({ accepted: true, state: { status: 'active' } });

    // Real time: each renewal is a real token call and MongoDB write; about 30 of them.
    await skipToDay(start, 30);

    // Renewed by need: the daily health check is a renewal on X, never two within a day. The legacy
    // rules renewed this 2-hour token every 1.5–1.7 hours: more than 420 times.
    const counters = await stack.sandbox.control.counters({ platform: 'x', externalId: account.externalId });
    expect(counters.refreshes).toBeGreaterThanOrEqual(26);
    expect(counters.refreshes).toBeLessThanOrEqual(30);
    expect(counters.refreshTokenReuse).toBe(0);
    const status = await statusOf(account.accountId);
    expect(status?.state).toBe('active');
    // The grant, not the access token, is what the projection describes.
    const now = await stack.now();
    expect(status?.grantExpiresAt?.getTime()).toBeGreaterThan(now + 170 * DAY_MS);
    expect(now - status!.lastCheckedAt!.getTime()).toBeLessThanOrEqual(1.1 * DAY_MS);
    expect(status!.nextCheckAt!.getTime() - status!.lastCheckedAt!.getTime()).toBeGreaterThanOrEqual(DAY_MS);
    expect(await stack.db.models.Notification.countDocuments({ accountId: account.accountId, kind: { $in: ['expiring', 'expired'] } })).toBe(0);
    const described = await stack.env.client.workflow.getHandle(accountWorkflowId(account.accountId)).describe();
    expect(described.typedSearchAttributes.get(GRANT_EXPIRES_AT)?.getTime()).toBe(status?.grantExpiresAt?.getTime());
  });

  it('a scheduled post goes out with a token renewed minutes before it is due', { timeout: 120_000 }, async () => {
    const start = await stack.now();
    // Checks a month apart: only the post needs a token in these days.
    const account = await connectWith('x', { handle: 'post_in_three_days' }, { healthCheckMs: 30 * DAY_MS });
    const dueAt = start + 3 * DAY_MS + 5 * HOUR_MS;
    const [scheduled] = await schedulePosts({
      db: stack.db,
      workflows: workflowTarget(stack.env.client, stack.config.temporal.taskQueue),
      owner,
      account: { accountId: account.accountId, platform: 'x' },
      posts: [{ text: 'Three days ahead, on a fresh token', publishAt: new Date(dueAt) }],
    });
    expect(scheduled?.answer).toMatchObject({ queued: true, result: { position: 1 } });

    // The sandbox runs on real time; bring its clock to the workflow's, so the token issued at the
    // connect is three days dead there too: only a renewal before the post lets it through.
    await skipTo(dueAt - 30 * MINUTE_MS);
    expect((await stack.sandbox.control.counters({ platform: 'x', externalId: account.externalId })).refreshes).toBe(0);
    await syncSandboxClock();
    await skipTo(dueAt + 5 * MINUTE_MS);

    const targetId = targetIdOf(scheduled!.post._id, account.accountId);
    await waitFor('the post published', async () => (await stack.db.models.PostTarget.findById(targetId).lean())?.state === 'published');
    const counters = await stack.sandbox.control.counters({ platform: 'x', externalId: account.externalId });
    expect(counters.refreshes).toBe(1);
    // One call to publish: no 401 on a dead token first.
    expect(counters.calls['POST api.x.com/2/tweets']).toBe(1);
    expect(counters.refreshTokenReuse).toBe(0);
    const renewedAt = (await statusOf(account.accountId))!.lastRenewedAt!.getTime();
    expect(dueAt - renewedAt).toBeGreaterThanOrEqual(5 * MINUTE_MS);
    expect(dueAt - renewedAt).toBeLessThanOrEqual(10 * MINUTE_MS);
  });

  it('keeps every token out of the workflow history', { timeout: 120_000 }, async () => {
    const account = await connect('x', { handle: 'secret_keeper' });
    await stack.env.sleep(1.2 * DAY_MS); // past the first daily check, a renewal on X
    const current = await account.store.loadCredentials(account.accountId);
    expect(current?.credentials.refreshToken).not.toBe(account.refreshToken);

    const history = JSON.stringify((await stack.env.client.workflow.getHandle(accountWorkflowId(account.accountId)).fetchHistory()).events);
    for (const secret of [account.accessToken, account.refreshToken, current?.credentials.accessToken, current?.credentials.refreshToken]) {
      expect(secret && secret.length > 8).toBe(true);
      expect(history).not.toContain(secret!);
    }
  });
});
