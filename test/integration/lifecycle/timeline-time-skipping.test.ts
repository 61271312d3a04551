import { describe, expect, it } from 'vitest';
import type { AccountEvent, AccountEventKind } from '../../../db/models/account-event.js';
import { accountWorkflowId } from '../../../workflows/account/messages.js';
import { connectThroughSandbox, waitFor } from '../../helpers/lifecycle.js';
import { DAY_MS, useTimeSkippingStack } from '../../helpers/time-skipping.js';

// The account timeline over 30 simulated days on Temporal's time-skipping test server: every
// renewal, check, status change and notification the activities caused is written once, however
// the workflow's wakes, retries and status writes fall. (Event times are the activities' real
// clock: only the workflow's clock jumps.)

describe('account timeline over 30 simulated days', () => {
  const world = useTimeSkippingStack();

  const connect = (platform: 'x' | 'linkedin', who: { identity: string } | { handle: string }) =>
    connectThroughSandbox({ config: world.stack.config, db: world.stack.db, client: world.stack.env.client, sandboxUrl: world.stack.sandbox.url, owner: world.owner, platform, ...who });
  const skipToDay = async (start: number, day: number) => {
    for (let now = await world.stack.now(); now < start + day * DAY_MS; now = await world.stack.now()) await world.stack.env.sleep(Math.min(start + day * DAY_MS - now, 5 * DAY_MS));
  };
  const eventsOf = (accountId: string): Promise<AccountEvent[]> => world.stack.db.models.AccountEvent.find({ accountId }).sort({ at: 1 }).lean();
  const count = (events: AccountEvent[], kind: AccountEventKind) => events.filter((event) => event.kind === kind).length;
  const statusOf = async (accountId: string) => (await world.stack.db.models.Account.findById(accountId).lean())?.status;

  it('an X account renewed daily, revoked on day 10 and reconnected on day 14, and a LinkedIn account checked daily: each event once', { timeout: 420_000 }, async () => {
    const start = await world.stack.now();
    const x = await connect('x', { handle: 'month_on_the_timeline' });
    const linkedin = await connect('linkedin', { identity: 'liCAROL3xYz' });

    await skipToDay(start, 10);
    await world.stack.sandbox.control.revoke('x', x.externalId);
    await skipToDay(start, 12);
    await waitFor('the X account expired', async () => (await statusOf(x.accountId))?.state === 'expired', 30_000);
    await skipToDay(start, 14);
    const reconnected = await connect('x', { identity: x.externalId });
    expect(reconnected.accountId).toBe(x.accountId);
    await skipToDay(start, 30);
    await waitFor('the X account active', async () => (await statusOf(x.accountId))?.state === 'active', 30_000);

    // X: one renewal event per renewal that stored new tokens (the credential version counts the
    // connect, the reconnect and each renewal), the failed one that found the revoke, and each
    // status change and notification once.
    const xEvents = await eventsOf(x.accountId);
    const version = (await x.store.loadCredentials(x.accountId))!.version;
    expect(count(xEvents, 'renewed')).toBe(version - 2);
    expect(count(xEvents, 'renewed')).toBeGreaterThanOrEqual(20);
    expect(count(xEvents, 'renewalFailed')).toBe(1);
    for (const kind of ['connected', 'reconnected', 'postsPaused', 'postsResumed'] as const) expect(count(xEvents, kind), kind).toBe(1);
    expect(count(xEvents, 'expired') + count(xEvents, 'deauthorized')).toBe(1);
    const notices = xEvents.filter((event) => event.kind === 'notificationSent').map((event) => `${event.notice}:${event.channel}:${event.delivered}`);
    expect(notices).toContain('expired:dashboard:true');
    expect(notices).toContain('reconnected:dashboard:true');
    expect(new Set(notices).size).toBe(notices.length);
    const order = xEvents.map((event) => event.kind);
    expect(order.indexOf('renewalFailed')).toBeLessThan(order.indexOf('postsPaused'));
    expect(order.indexOf('postsPaused')).toBeLessThan(order.indexOf('reconnected'));

    // LinkedIn: a check a day, each with the grant's end, as many as the workflow ran check activities.
    const linkedinEvents = await eventsOf(linkedin.accountId);
    const history = await world.stack.env.client.workflow.getHandle(accountWorkflowId(linkedin.accountId)).fetchHistory();
    const scheduled = new Map((history.events ?? []).flatMap((event) => (event.activityTaskScheduledEventAttributes ? [[String(event.eventId), event.activityTaskScheduledEventAttributes.activityType?.name]] : [])));
    const checksRun = (history.events ?? []).filter((event) => scheduled.get(String(event.activityTaskCompletedEventAttributes?.scheduledEventId)) === 'validateCredentials').length;
    const checks = linkedinEvents.filter((event) => event.kind === 'checked');
    expect(checks).toHaveLength(checksRun);
    expect(checks.length).toBeGreaterThanOrEqual(28);
    expect(checks.length).toBeLessThanOrEqual(31);
    const grantEnd = (await statusOf(linkedin.accountId))?.grantExpiresAt?.getTime();
    expect(grantEnd).toBeGreaterThan(start + 59 * DAY_MS);
    for (const check of checks) expect(check.expiresAt?.getTime()).toBe(grantEnd);
    expect(linkedinEvents.filter((event) => event.kind !== 'checked').map((event) => event.kind)).toEqual(['connected']);
  });
});
