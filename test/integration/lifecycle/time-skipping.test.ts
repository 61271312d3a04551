import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationKind } from '../../../db/models/notification.js';
import { formatDateTime, phraseReason } from '../../../services/phrasing/index.js';
import { accountWorkflowId } from '../../../workflows/account/messages.js';
import { PLATFORM, STATUS } from '../../../workflows/search-attributes.js';
import { connectThroughSandbox, createOwner, waitFor, type Owner } from '../../helpers/lifecycle.js';
import { DAY_MS, startTimeSkippingStack, type TimeSkippingStack } from '../../helpers/time-skipping.js';

// The account workflow over production token lifetimes (days, months) on Temporal's time-skipping
// test server: the workflow's clock jumps, the sandbox and MongoDB run on real time.

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

  const connect = (platform: 'x' | 'linkedin', who: { identity: string } | { handle: string }) =>
    connectThroughSandbox({ config: stack.config, db: stack.db, client: stack.env.client, sandboxUrl: stack.sandbox.url, owner, platform, ...who });
  const statusOf = async (accountId: string) => (await stack.db.models.Account.findById(accountId).lean())?.status;
  const notifications = (accountId: string, kind: NotificationKind) => stack.db.models.Notification.find({ accountId, kind }).lean();
  /** Advances the workflow clock to `day` days after `start`. */
  const skipToDay = async (start: number, day: number) => {
    const target = start + day * DAY_MS;
    const now = await stack.now();
    if (target > now) await stack.env.sleep(target - now);
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

  it('renews a rotating 2-hour X token for 30 simulated days with zero refresh-token reuse', { timeout: 300_000 }, async () => {
    const account = await connect('x', { handle: 'month_of_renewals' });
    expect(account.result).toMatchObject({ accepted: true, state: { status: 'active' } });

    // Real time: ~40 s on an idle 2-core machine, ~80 s under heavy load (each renewal is a real
    // token call and MongoDB write).
    const days = 30;
    for (let day = 0; day < days; day += 5) await stack.env.sleep(5 * DAY_MS);

    // Each renewal lands 18–30 minutes before the 2-hour expiry: every 1.5–1.7 hours.
    const hours = days * 24;
    const counters = await stack.sandbox.control.counters({ platform: 'x', externalId: account.externalId });
    expect(counters.refreshes).toBeGreaterThanOrEqual(Math.floor(hours / 1.7) - 2);
    expect(counters.refreshes).toBeLessThanOrEqual(Math.ceil(hours / 1.5));
    expect(counters.refreshTokenReuse).toBe(0);
    const status = await statusOf(account.accountId);
    expect(status?.state).toBe('active');
    expect(status?.tokenExpiresAt?.getTime()).toBeGreaterThan(await stack.now());
    expect(await stack.db.models.Notification.countDocuments({ accountId: account.accountId, kind: { $in: ['expiring', 'expired'] } })).toBe(0);
  });

  it('keeps every token out of the workflow history', { timeout: 120_000 }, async () => {
    const account = await connect('x', { handle: 'secret_keeper' });
    await stack.env.sleep(DAY_MS);
    const current = await account.store.loadCredentials(account.accountId);
    expect(current?.credentials.refreshToken).not.toBe(account.refreshToken);

    const history = JSON.stringify((await stack.env.client.workflow.getHandle(accountWorkflowId(account.accountId)).fetchHistory()).events);
    for (const secret of [account.accessToken, account.refreshToken, current?.credentials.accessToken, current?.credentials.refreshToken]) {
      expect(secret && secret.length > 8).toBe(true);
      expect(history).not.toContain(secret!);
    }
  });
});
