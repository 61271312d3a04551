import { describe, expect, it } from 'vitest';
import { transition } from '../../../workflows/lifecycle/state.js';
import { describeNext, nextWakeAt } from '../../../workflows/lifecycle/schedule.js';
import { MIN_OPERATION_DELAY_MS, RATE_LIMIT_JITTER_MS, RETRY_MAX_MS } from '../../../workflows/lifecycle/timing.js';
import type { LifecycleState, Reason } from '../../../workflows/lifecycle/types.js';
import {
  connectLegacy as connect,
  DAY,
  HOUR,
  invalid,
  LIFETIMES,
  MIN,
  ok,
  POLICIES,
  prng,
  rateLimited,
  reauth,
  SEC,
  Sim,
  T0,
  transient,
  type PlatformAnswer,
} from './support.js';

// The schema-1 (legacy) rules: renewal at 75–85 % of the access token's lifetime. Workflows started
// before the `renew-by-need` patch replay their histories with them, so they stay tested as they were
// until workflows/lifecycle/legacy-rules.ts is removed. The current rules: scenarios.test.ts.

const types = (effects: Array<{ type: string }>): string[] => effects.map((effect) => effect.type);

describe('X: 2-hour rotating tokens', () => {
  it('renew every 1.5–1.7 h for 30 days without a single warning or expiry', () => {
    const sim = new Sim(connect('x', POLICIES.rotating, LIFETIMES.x).state, { answer: () => ok(LIFETIMES.x), latencyMs: 400, rng: prng(7) });
    sim.runUntil(T0 + 30 * DAY);
    const renewals = sim.effectsOf('renew').map(({ at }) => at);
    expect(renewals.length).toBeGreaterThan(420);
    expect(renewals.length).toBeLessThan(481);
    renewals.slice(1).forEach((at, i) => {
      const gap = at - renewals[i]!;
      expect(gap).toBeGreaterThanOrEqual(1.5 * HOUR);
      expect(gap).toBeLessThanOrEqual(1.7 * HOUR + 400);
    });
    expect(sim.notifications()).toEqual([]);
    expect(sim.state.status).toBe('active');
    expect(sim.state.token.accessExpiresAt).toBeGreaterThan(sim.clock);
  });
});

describe('LinkedIn: 60-day token that nothing can renew', () => {
  it('warns once at day 53, expires at day 60 with a dated reason, and reconnects', () => {
    const sim = new Sim(connect('linkedin', POLICIES.none, LIFETIMES.linkedin).state, { answer: () => ok({}) });
    expect(describeNext(sim.state)).toEqual({ action: 'warn', at: T0 + 53 * DAY });
    sim.runUntil(T0 + 70 * DAY);
    const notes = sim.notifications();
    expect(notes.map((n) => [n.kind, n.at])).toEqual([
      ['expiring', T0 + 53 * DAY],
      ['expired', T0 + 60 * DAY],
    ]);
    expect(notes[0]!.deadline).toBe(T0 + 60 * DAY);
    expect(sim.effectsOf('renew')).toEqual([]);
    expect(sim.state.status).toBe('expired');
    expect(sim.state.reason).toEqual({ code: 'access_expired', at: T0 + 60 * DAY });
    expect(nextWakeAt(sim.state)).toBeUndefined();

    const effects = sim.apply({ type: 'reconnected', now: T0 + 70 * DAY, policy: POLICIES.none, lifetimes: LIFETIMES.linkedin, jitter: 0.2 });
    expect(types(effects)).toEqual(['recordStatus', 'notify']);
    expect(sim.state.status).toBe('active');
    expect(sim.state.reason).toBeUndefined();
    expect(sim.state.token.accessExpiresAt).toBe(T0 + 130 * DAY);
    expect(nextWakeAt(sim.state)).toBe(T0 + 123 * DAY);
  });

  it('answers "renew now" with a reason instead of an impossible renewal', () => {
    const { state } = connect('linkedin', POLICIES.none, LIFETIMES.linkedin);
    const { state: after, effects } = transition(state, { type: 'refreshRequested', now: T0 + DAY });
    expect(types(effects)).toEqual(['recordStatus']);
    expect(after.reason).toEqual({ code: 'renewal_unavailable', at: T0 + 60 * DAY });
    expect(after.status).toBe('active');
  });
});

describe('LinkedIn partner: refresh token with a fixed 365-day end', () => {
  it('keeps renewing, renews once more before the end, then warns once and expires', () => {
    const consent = T0;
    const refreshEnd = consent + 365 * DAY;
    const answer = (_op: string, now: number): PlatformAnswer => ok({ accessSec: 60 * 86400, refreshSec: Math.round((refreshEnd - now) / 1000) });
    const start = connect('linkedin', POLICIES.refresh, { accessSec: 60 * 86400, refreshSec: 365 * 86400 }).state;
    const sim = new Sim(start, { answer, latencyMs: 800 });
    sim.runUntil(T0 + 500 * DAY);
    const renewals = sim.effectsOf('renew').map(({ at }) => at);
    expect(renewals.length).toBeGreaterThanOrEqual(7);
    expect(renewals.length).toBeLessThanOrEqual(9);
    expect(renewals.every((at) => at < refreshEnd)).toBe(true);
    expect(refreshEnd - renewals.at(-1)!).toBeLessThanOrEqual(HOUR);
    const lastAccessExpiry = renewals.at(-1)! + 800 + 60 * DAY;
    expect(sim.notifications().map((n) => [n.kind, n.at, n.deadline])).toEqual([
      ['expiring', lastAccessExpiry - 7 * DAY, lastAccessExpiry],
      ['expired', lastAccessExpiry, undefined],
    ]);
  });
});

describe('Threads: exchange needs a 24-hour-old token', () => {
  it('renews a 60-day token 9–15 days early and keeps going', () => {
    const sim = new Sim(connect('threads', POLICIES.exchange, LIFETIMES.threads).state, { answer: () => ok(LIFETIMES.threads), rng: prng(3) });
    sim.runUntil(T0 + 200 * DAY);
    const renewals = sim.effectsOf('renew').map(({ at }) => at);
    expect(renewals[0]).toBe(T0 + 48 * DAY);
    expect(renewals.length).toBeGreaterThanOrEqual(3);
    expect(sim.notifications()).toEqual([]);
  });

  it('never renews a token younger than 24 hours, even on request', () => {
    const { state } = connect('threads', POLICIES.exchange, { accessSec: 30 * 3600 }, { jitter: 0 });
    expect(state.renewAt).toBeGreaterThanOrEqual(T0 + 24 * HOUR);
    expect(state.renewAt).toBeLessThan(T0 + 30 * HOUR);
    const early = transition(state, { type: 'refreshRequested', now: T0 + 2 * HOUR });
    expect(types(early.effects)).toEqual(['recordStatus']);
    expect(early.state.reason).toEqual({ code: 'renewal_too_early', at: T0 + 24 * HOUR });
    const late = transition(state, { type: 'refreshRequested', now: T0 + 25 * HOUR });
    expect(late.effects).toContainEqual({ type: 'renew', trigger: 'requested' });
  });

  it('treats a token that dies before it may be exchanged like one nothing can renew', () => {
    const sim = new Sim(connect('threads', POLICIES.exchange, { accessSec: 3600 }).state, { answer: () => ok({ accessSec: 3600 }) });
    expect(sim.state.renewAt).toBeUndefined();
    sim.runUntil(T0 + 2 * HOUR);
    expect(sim.notifications().map((n) => [n.kind, n.at])).toEqual([
      ['expiring', T0 + 45 * MIN],
      ['expired', T0 + HOUR],
    ]);
  });

  it('retries a failing exchange before the token dies, not after', () => {
    const expiry = T0 + 60 * DAY;
    const sim = new Sim(connect('threads', POLICIES.exchange, LIFETIMES.threads).state, { answer: () => transient() });
    sim.runUntil(expiry + DAY);
    const attempts = sim.effectsOf('renew').map(({ at }) => at);
    expect(attempts.every((at) => at < expiry)).toBe(true);
    expect(expiry - attempts.at(-1)!).toBeLessThan(10 * SEC);
    expect(sim.state.status).toBe('expired');
    expect(sim.state.reason).toEqual({ code: 'access_expired', at: expiry });
  });
});

describe('short sandbox tokens', () => {
  it('a 10-second token never schedules renewals closer than the floor or in the past', () => {
    const sim = new Sim(connect('bluesky', POLICIES.rotating, { accessSec: 10 }).state, { answer: () => ok({ accessSec: 10 }), latencyMs: 50, rng: prng(11) });
    sim.runUntil(T0 + 10 * MIN);
    for (const step of sim.log) {
      const renewAt = step.state.renewAt;
      if (renewAt === undefined) continue;
      expect(renewAt).toBeGreaterThanOrEqual(step.state.token.issuedAt + MIN_OPERATION_DELAY_MS);
      if (step.event.type === 'renewalSucceeded') expect(renewAt).toBeGreaterThan(step.event.now);
    }
    const renewals = sim.effectsOf('renew').map(({ at }) => at);
    expect(renewals.length).toBeGreaterThan(600 / 8.6);
    expect(renewals.length).toBeLessThan(600 / 7.5 + 1);
    expect(sim.notifications()).toEqual([]);
  });

  it('a sub-second token renews at most once per second', () => {
    const sim = new Sim(connect('bluesky', POLICIES.rotating, { accessSec: 0.2 }).state, { answer: () => ok({ accessSec: 0.2 }) });
    sim.runUntil(T0 + MIN);
    const renewals = sim.effectsOf('renew').map(({ at }) => at);
    expect(renewals.length).toBe(60);
    renewals.slice(1).forEach((at, i) => expect(at - renewals[i]!).toBeGreaterThanOrEqual(SEC));
    expect(sim.state.status).toBe('active'); // renewable tokens do not expire while renewals succeed
  });
});

describe('jitter spreads tokens issued together', () => {
  it('100 X tokens issued in the same instant renew across a window, not in one second', () => {
    const rng = prng(42);
    const renewAts = Array.from({ length: 100 }, (_, i) => connect('x', POLICIES.rotating, LIFETIMES.x, { jitter: rng(), accountId: `a${i}` }).state.renewAt!);
    const sorted = [...renewAts].sort((a, b) => a - b);
    expect(sorted[0]).toBeGreaterThanOrEqual(T0 + 1.5 * HOUR);
    expect(sorted.at(-1)).toBeLessThanOrEqual(T0 + 1.7 * HOUR);
    expect(sorted.at(-1)! - sorted[0]!).toBeGreaterThan(10 * MIN);
    expect(new Set(renewAts).size).toBe(100);
    const perMinute = new Map<number, number>();
    for (const at of renewAts) perMinute.set(Math.floor(at / MIN), (perMinute.get(Math.floor(at / MIN)) ?? 0) + 1);
    expect(Math.max(...perMinute.values())).toBeLessThan(15);
  });
});

describe('transient trouble never expires an account', () => {
  it('a day-long 5xx storm on X: retries with capped backoff, stays live past the access expiry, no warning', () => {
    const stormEnd = T0 + 1.6 * HOUR + DAY;
    const answer = (_op: string, now: number): PlatformAnswer => (now < stormEnd ? transient() : ok(LIFETIMES.x));
    const sim = new Sim(connect('x', POLICIES.rotating, LIFETIMES.x).state, { answer, rng: prng(5) });
    sim.runUntil(stormEnd + 3 * HOUR);
    expect(sim.log.every((step) => step.state.status === 'active')).toBe(true);
    expect(sim.notifications()).toEqual([]);
    const attempts = sim.effectsOf('renew').map(({ at }) => at).filter((at) => at <= stormEnd + RETRY_MAX_MS);
    attempts.slice(1).forEach((at, i) => expect(at - attempts[i]!).toBeLessThanOrEqual(RETRY_MAX_MS));
    expect(attempts.length).toBeGreaterThan(DAY / RETRY_MAX_MS);
    const midStorm = sim.log.find((step) => step.event.now > T0 + 12 * HOUR)!.state;
    expect(midStorm.reason).toEqual({ code: 'renewal_retrying', at: midStorm.retry!.at, detail: '503 Service Unavailable' });
    expect(midStorm.consecutiveFailures).toBeGreaterThan(10);
    expect(sim.state.consecutiveFailures).toBe(0);
    expect(sim.state.reason).toBeUndefined();
  });

  it('a storm close to a deadline warns once (repeated-failure rule), then recovers', () => {
    // Threads token, renewal planned at day 51; the storm lasts from then until day 54.
    const stormEnd = T0 + 54 * DAY;
    const answer = (_op: string, now: number): PlatformAnswer => (now < stormEnd ? transient() : ok(LIFETIMES.threads));
    const sim = new Sim(connect('threads', POLICIES.exchange, LIFETIMES.threads, { jitter: 1 }).state, { answer, rng: prng(9) });
    sim.runUntil(T0 + 55 * DAY);
    const notes = sim.notifications();
    expect(notes.map((n) => [n.kind, n.code])).toEqual([
      ['expiring', 'renewal_failing'],
      ['recovered', undefined],
    ]);
    expect(notes[0]!.at).toBeGreaterThanOrEqual(T0 + 53 * DAY);
    expect(notes[0]!.at).toBeLessThan(T0 + 53 * DAY + RETRY_MAX_MS);
    expect(notes[0]!.deadline).toBe(T0 + 60 * DAY);
    expect(notes[1]!.at).toBeGreaterThanOrEqual(stormEnd);
    expect(sim.state.status).toBe('active');
  });

  it('warns only from the third consecutive failure inside the warning window', () => {
    let state = connect('threads', POLICIES.exchange, LIFETIMES.threads).state;
    let now = T0 + 54 * DAY; // the shell slept through the planned renewal; the deadline is 6 days away
    for (let failure = 1; failure <= 3; failure++) {
      state = transition(state, { type: 'wake', now }).state;
      expect(state.inFlight?.op).toBe('renew');
      const result = transition(state, { type: 'renewalFailed', now: now + SEC, failure: transient(), jitter: 0.5 });
      state = result.state;
      expect(state.status).toBe(failure < 3 ? 'active' : 'expiring');
      expect(result.effects.some((effect) => effect.type === 'notify')).toBe(failure === 3);
      now = state.retry!.at;
    }
    expect(state.warning?.deadline).toBe(T0 + 60 * DAY);
    // The warning wraps the latest failure, so its retry time is still said.
    expect(state.reason).toEqual({ code: 'renewal_failing', at: T0 + 60 * DAY, count: 3, cause: { code: 'renewal_retrying', at: state.retry!.at, detail: '503 Service Unavailable' } });
  });

  it('YouTube (no known refresh expiry) never warns or expires however long renewals fail', () => {
    const sim = new Sim(connect('youtube', POLICIES.refresh, LIFETIMES.youtube).state, { answer: () => transient('timeout') });
    sim.runUntil(T0 + 10 * DAY);
    expect(sim.notifications()).toEqual([]);
    expect(sim.state.status).toBe('active');
    expect(sim.state.consecutiveFailures).toBeGreaterThan(400);
  });

  it('a 429 waits until the reset (plus bounded jitter) and says so', () => {
    const { state } = connect('x', POLICIES.rotating, LIFETIMES.x);
    const due = state.renewAt!;
    const renewing = transition(state, { type: 'wake', now: due });
    expect(renewing.effects).toContainEqual({ type: 'renew', trigger: 'scheduled' });
    const resetAt = due + 12 * MIN;
    for (const jitter of [0, 0.5, 1]) {
      const { state: waiting, effects } = transition(renewing.state, { type: 'renewalFailed', now: due + SEC, failure: rateLimited(resetAt), jitter });
      expect(waiting.status).toBe('active');
      expect(waiting.retry!.at).toBeGreaterThanOrEqual(resetAt);
      expect(waiting.retry!.at).toBeLessThanOrEqual(resetAt + RATE_LIMIT_JITTER_MS);
      expect(nextWakeAt(waiting)).toBe(waiting.retry!.at);
      expect(waiting.reason).toEqual({ code: 'rate_limited', at: resetAt });
      expect(types(effects)).toEqual(['recordStatus']);
      // Waking early (e.g. after another message) does not retry before the reset.
      expect(transition(waiting, { type: 'wake', now: resetAt - SEC }).effects.some((e) => e.type === 'renew')).toBe(false);
      expect(transition(waiting, { type: 'wake', now: waiting.retry!.at }).effects).toContainEqual({ type: 'renew', trigger: 'retry' });
    }
  });

  it('an invalid renewal response retries at the maximum backoff and counts towards the warning rule', () => {
    const { state } = connect('pinterest', POLICIES.rotating, { accessSec: 30 * 86400, refreshSec: 60 * 86400 });
    const renewing = transition(state, { type: 'wake', now: state.renewAt! }).state;
    const failed = transition(renewing, { type: 'renewalFailed', now: state.renewAt!, failure: invalid(), jitter: 1 }).state;
    expect(failed.status).toBe('active');
    expect(failed.retry!.at - state.renewAt!).toBe(RETRY_MAX_MS);
    // Close to the access expiry the retry moves before it instead.
    const late = transition(renewing, { type: 'renewalFailed', now: state.token.accessExpiresAt! - 20 * MIN, failure: invalid(), jitter: 1 }).state;
    expect(late.retry!.at).toBe(state.token.accessExpiresAt! - 10 * MIN);
    expect(failed.reason?.code).toBe('renewal_rejected');
    expect(failed.consecutiveFailures).toBe(1);
  });
});

describe('definite failures', () => {
  it('reauthRequired expires at once with the adapter reason', () => {
    const { state } = connect('x', POLICIES.rotating, LIFETIMES.x);
    const renewing = transition(state, { type: 'wake', now: state.renewAt! }).state;
    const failure = reauth('token_invalid', 'Value passed for the token was invalid.');
    const { state: expired, effects } = transition(renewing, { type: 'renewalFailed', now: state.renewAt! + SEC, failure, jitter: 0.5 });
    expect(expired.status).toBe('expired');
    expect(expired.reason).toEqual({ code: 'token_invalid', detail: 'Value passed for the token was invalid.' });
    expect(effects).toEqual([
      { type: 'recordStatus' },
      { type: 'notify', kind: 'expired', reason: expired.reason, dedupeKey: 'acct-x:1' },
    ]);
    expect(nextWakeAt(expired)).toBeUndefined();
    expect(transition(expired, { type: 'wake', now: state.renewAt! + DAY }).effects).toEqual([]);
  });

  it('a rejected access token triggers one renewal; if that needs reauth, the account expires', () => {
    const { state } = connect('pinterest', POLICIES.rotating, { accessSec: 30 * 86400, refreshSec: 60 * 86400 });
    const first = transition(state, { type: 'accessTokenRejected', now: T0 + HOUR });
    expect(first.effects).toContainEqual({ type: 'renew', trigger: 'rejected' });
    // Concurrent publishes hitting the same 401 do not start more renewals.
    expect(transition(first.state, { type: 'accessTokenRejected', now: T0 + HOUR + 10 }).effects).toEqual([]);
    const failedOnce = transition(first.state, { type: 'renewalFailed', now: T0 + HOUR + SEC, failure: transient(), jitter: 0.5 }).state;
    expect(transition(failedOnce, { type: 'accessTokenRejected', now: T0 + HOUR + 2 * SEC }).effects.some((e) => e.type === 'renew')).toBe(false);
    const { state: expired } = transition(first.state, { type: 'renewalFailed', now: T0 + HOUR + SEC, failure: reauth(), jitter: 0.5 });
    expect(expired.status).toBe('expired');
    // A code the platforms' list does not know becomes reauth_required; the platform's words stay.
    expect(expired.reason).toEqual({ code: 'reauth_required', detail: 'Token has been expired or revoked.' });
    // A renewed token that is rejected again gets its own single renewal.
    const renewed = transition(first.state, { type: 'renewalSucceeded', now: T0 + HOUR + SEC, lifetimes: { accessSec: 30 * 86400 }, jitter: 0.5 }).state;
    expect(transition(renewed, { type: 'accessTokenRejected', now: T0 + 2 * HOUR }).effects).toContainEqual({ type: 'renew', trigger: 'rejected' });
  });

  it('a refusal with the platform\'s reason expires a token nothing can renew, and never one whose renewal is under way', () => {
    const refused: Reason = { code: 'token_revoked', detail: 'LinkedIn revoked this token' };
    const linkedin = connect('linkedin', POLICIES.none, { accessSec: 60 * 86400 }).state;
    const { state: expired, effects } = transition(linkedin, { type: 'accessTokenRejected', reason: refused, now: T0 + HOUR });
    expect(expired).toMatchObject({ status: 'expired', reason: refused });
    expect(effects).toContainEqual({ type: 'notify', kind: 'expired', reason: refused, dedupeKey: 'acct-linkedin:1' });
    // Without a reason the refusal is not taken as definite.
    expect(transition(linkedin, { type: 'accessTokenRejected', now: T0 + HOUR }).state.status).toBe('active');

    const { state } = connect('pinterest', POLICIES.rotating, { accessSec: 30 * 86400, refreshSec: 60 * 86400 });
    const renewing = transition(state, { type: 'accessTokenRejected', reason: refused, now: T0 + HOUR });
    expect(renewing.state.status).toBe('active');
    expect(renewing.effects).toContainEqual({ type: 'renew', trigger: 'rejected' });
    // Its renewal failed transiently and will be retried: another refusal waits for that, it does not expire.
    const retrying = transition(renewing.state, { type: 'renewalFailed', now: T0 + HOUR + SEC, failure: transient(), jitter: 0.5 }).state;
    expect(transition(retrying, { type: 'accessTokenRejected', reason: refused, now: T0 + HOUR + 2 * SEC }).state.status).toBe('active');
  });

  it('platform revocation expires a live account once; later revocations only update the reason', () => {
    const { state } = connect('tiktok', POLICIES.rotating, { accessSec: 7200, refreshSec: 180 * 86400 });
    const revoked = transition(state, { type: 'revokedByPlatform', now: T0 + MIN, reason: { code: 'app_removed' } });
    expect(revoked.state.status).toBe('expired');
    expect(types(revoked.effects)).toEqual(['recordStatus', 'notify']);
    const again = transition(revoked.state, { type: 'revokedByPlatform', now: T0 + 2 * MIN, reason: { code: 'account_suspended' } });
    expect(again.state.reason?.code).toBe('account_suspended');
    expect(types(again.effects)).toEqual(['recordStatus']);
    expect(again.state.transitions).toBe(revoked.state.transitions);
  });
});

describe('Facebook Page tokens (validate policy) and data-access expiry', () => {
  it('validates about daily, warns before data access ends, then expires only when validation fails after it', () => {
    const dataAccessEnd = T0 + 90 * DAY;
    const answer = (_op: string, now: number): PlatformAnswer => (now >= dataAccessEnd ? invalid('(#200) data access expired') : ok({}));
    const sim = new Sim(connect('facebook', POLICIES.validate, LIFETIMES.facebookPage).state, { answer, rng: prng(2) });
    sim.runUntil(T0 + 100 * DAY);
    const validations = sim.effectsOf('validate').map(({ at }) => at);
    expect(validations.length).toBeGreaterThanOrEqual(82);
    expect(validations.length).toBeLessThanOrEqual(101);
    expect(sim.notifications().map((n) => [n.kind, n.at, n.code])).toEqual([
      ['expiring', T0 + 83 * DAY, 'data_access_expiring'],
      ['expired', dataAccessEnd + MIN_OPERATION_DELAY_MS, 'data_access_expired'],
    ]);
  });

  it('recovers when the token still validates after the data-access date', () => {
    const sim = new Sim(connect('facebook', POLICIES.validate, { dataAccessSec: 10 * 86400 }).state, { answer: () => ok({}) });
    sim.runUntil(T0 + 12 * DAY);
    expect(sim.notifications().map((n) => n.kind)).toEqual(['expiring', 'recovered']);
    expect(sim.state.token.dataAccessExpiresAt).toBeUndefined();
  });

  it('renew now on a validate policy validates', () => {
    const { state } = connect('facebook', POLICIES.validate, LIFETIMES.facebookPage);
    expect(transition(state, { type: 'refreshRequested', now: T0 + HOUR }).effects).toContainEqual({ type: 'validate', trigger: 'requested' });
  });
});

describe('single flight and lost results', () => {
  it('never starts a second renewal while one runs, and gives up waiting after an hour', () => {
    const { state } = connect('x', POLICIES.rotating, { accessSec: 1800, refreshSec: 180 * 86400 });
    const running = transition(state, { type: 'refreshRequested', now: T0 + MIN });
    expect(running.effects).toContainEqual({ type: 'renew', trigger: 'requested' });
    expect(transition(running.state, { type: 'refreshRequested', now: T0 + 2 * MIN }).effects).toEqual([]);
    expect(transition(running.state, { type: 'wake', now: state.renewAt! }).effects.some((e) => e.type === 'renew')).toBe(false);
    expect(nextWakeAt(running.state)).toBe(T0 + MIN + HOUR);
    const gaveUp = transition(running.state, { type: 'wake', now: T0 + MIN + HOUR });
    expect(gaveUp.state.inFlight).toBeUndefined();
    expect(gaveUp.state.retry?.op).toBe('renew');
    expect(gaveUp.state.status).toBe('active');
    // A late result for the abandoned attempt is ignored.
    const late = transition(gaveUp.state, { type: 'renewalFailed', now: T0 + 2 * HOUR, failure: reauth(), jitter: 0.5 });
    expect(late.state).toEqual(gaveUp.state);
    expect(late.effects).toEqual([]);
  });

  it('results that arrive after a reconnect do not touch the new credentials', () => {
    const { state } = connect('x', POLICIES.rotating, LIFETIMES.x);
    const running = transition(state, { type: 'refreshRequested', now: T0 + MIN }).state;
    const reconnected = transition(running, { type: 'reconnected', now: T0 + 2 * MIN, policy: POLICIES.rotating, lifetimes: LIFETIMES.x, jitter: 0.5 }).state;
    const stale = transition(reconnected, { type: 'renewalFailed', now: T0 + 3 * MIN, failure: reauth(), jitter: 0.5 });
    expect(stale.state.status).toBe('active');
    expect(stale.effects).toEqual([]);
  });
});

describe('notifications, persistence and wake contract', () => {
  it('dedupe keys are unique per transition across expiries and reconnects', () => {
    const sim = new Sim(connect('linkedin', POLICIES.none, { accessSec: 3600 }).state, { answer: () => ok({}) });
    for (let round = 0; round < 5; round++) {
      sim.runUntil(sim.clock + 2 * HOUR);
      sim.apply({ type: 'reconnected', now: sim.clock, policy: POLICIES.none, lifetimes: { accessSec: 3600 }, jitter: 0.5 });
    }
    const keys = sim.notifications().map((n) => n.dedupeKey);
    expect(keys.length).toBe(15); // expiring, expired, reconnected × 5
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(keys.map((_, i) => `acct-linkedin:${i + 1}`));
  });

  it('a JSON round trip of the state at every step changes nothing', () => {
    const answer = (_op: string, now: number): PlatformAnswer => (Math.floor(now / (6 * HOUR)) % 3 === 0 ? transient() : ok(LIFETIMES.x));
    const direct = new Sim(connect('x', POLICIES.rotating, LIFETIMES.x).state, { answer, rng: prng(4) });
    direct.runUntil(T0 + 3 * DAY);
    for (const step of direct.log) {
      const copy = JSON.parse(JSON.stringify(step.before)) as LifecycleState;
      expect(copy).toEqual(step.before);
      expect(transition(copy, step.event)).toEqual({ state: step.state, effects: step.effects });
      expect(nextWakeAt(copy)).toBe(nextWakeAt(step.before));
    }
  });

  it('returns overdue wake times as they are, and never an overdue time right after a wake', () => {
    const { state } = connect('x', POLICIES.rotating, LIFETIMES.x);
    const overdue = state.renewAt!;
    expect(nextWakeAt(state)).toBe(overdue);
    const late = overdue + 5 * HOUR; // the shell slept through it (e.g. worker down)
    const { state: after } = transition(state, { type: 'wake', now: late });
    expect(after.inFlight?.op).toBe('renew'); // still renewable: the refresh token lives on
    expect(nextWakeAt(after)).toBeGreaterThan(late);
  });
});

describe('connect', () => {
  it('records the new account once and schedules its first renewal', () => {
    const { state, effects } = connect('x', POLICIES.rotating, LIFETIMES.x);
    expect(effects).toEqual([{ type: 'recordStatus' }]);
    expect(state.status).toBe('active');
    expect(state.transitions).toBe(0);
    expect(describeNext(state)).toEqual({ action: 'renew', at: T0 + 1.6 * HOUR });
  });

  it('a token that is already dead at connect is expired at once, with its effects', () => {
    const { state, effects } = connect('linkedin', POLICIES.none, { accessSec: 0 });
    expect(state.status).toBe('expired');
    expect(effects.map((effect) => effect.type)).toEqual(['recordStatus', 'notify']);
  });
});

describe('disconnect', () => {
  it('revokes, notifies and records once, then ignores everything', () => {
    const { state } = connect('x', POLICIES.rotating, LIFETIMES.x);
    const { state: gone, effects } = transition(state, { type: 'disconnectRequested', now: T0 + HOUR });
    expect(effects).toEqual([
      { type: 'revoke' },
      { type: 'recordStatus' },
      { type: 'notify', kind: 'disconnected', dedupeKey: 'acct-x:1' },
    ]);
    expect(gone.status).toBe('disconnected');
    expect(nextWakeAt(gone)).toBeUndefined();
    expect(describeNext(gone)).toEqual({ action: 'nothing' });
    const reconnect = transition(gone, { type: 'reconnected', now: T0 + 2 * HOUR, policy: POLICIES.rotating, lifetimes: LIFETIMES.x, jitter: 0.5 });
    expect(reconnect.state).toBe(gone);
    expect(reconnect.effects).toEqual([]);
  });
});
