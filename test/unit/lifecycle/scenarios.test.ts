import { describe, expect, it } from 'vitest';
import type { TokenPolicy } from '../../../platforms/types.js';
import { DEFAULT_PUBLISH_LEAD_MS, plannedCheckAt } from '../../../workflows/lifecycle/need-rules.js';
import { describeNext, expiryDeadline, nextWakeAt } from '../../../workflows/lifecycle/schedule.js';
import { transition } from '../../../workflows/lifecycle/state.js';
import { RATE_LIMIT_JITTER_MS, RETRY_MAX_MS } from '../../../workflows/lifecycle/timing.js';
import {
  connect,
  connectLegacy,
  DAY,
  HOUR,
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

// The current rules (schema 2): renew by need — before a post, before the grant ages out, on a daily
// health check, on request — never because an access token is getting old. The legacy rules that
// workflows from before the `renew-by-need` patch replay with: legacy-scenarios.test.ts.

const types = (effects: Array<{ type: string }>): string[] => effects.map((effect) => effect.type);

const X: TokenPolicy = { renewal: 'rotatingRefresh', refreshIdleSec: 180 * 86_400 };
const YOUTUBE: TokenPolicy = { renewal: 'refresh', refreshIdleSec: 180 * 86_400, check: 'inspect' };
const LINKEDIN: TokenPolicy = { renewal: 'none', check: 'inspect' };
const LINKEDIN_PARTNER: TokenPolicy = { renewal: 'refresh', refreshEnd: 'fixed', check: 'inspect' };
const THREADS: TokenPolicy = { renewal: 'exchange', minTokenAgeSec: 86_400, check: 'inspect' };
const PINTEREST: TokenPolicy = { renewal: 'rotatingRefresh', check: 'inspect' };
const X_TOKENS = { accessSec: 7200 };

describe('X: an idle account', () => {
  it('renews about once a day for 30 days (a renewal is its health check), never twice in 24 hours', () => {
    const sim = new Sim(connect('x', X, X_TOKENS).state, { answer: () => ok(X_TOKENS), latencyMs: 400, rng: prng(7) });
    sim.runUntil(T0 + 30 * DAY);
    const renewals = sim.effectsOf('renew').map(({ at }) => at);
    expect(renewals.length).toBeGreaterThanOrEqual(27);
    expect(renewals.length).toBeLessThanOrEqual(30);
    renewals.slice(1).forEach((at, i) => expect(at - renewals[i]!).toBeGreaterThanOrEqual(DAY));
    expect(sim.effectsOf('renew').every(({ effect }) => effect.type === 'renew' && effect.trigger === 'check')).toBe(true);
    expect(sim.notifications()).toEqual([]);
    expect(sim.state.status).toBe('active');
    // Between renewals the access token sits expired; the grant lives on for months.
    expect(sim.state.token.accessExpiresAt).toBeLessThan(sim.clock);
    expect(expiryDeadline(sim.state)!.at).toBeGreaterThan(sim.clock + 170 * DAY);
    expect(sim.state.lastRenewedAt).toBe(renewals.at(-1)! + 400);
    expect(describeNext(sim.state).action).toBe('check');
  });

  it('costs ≥ 10× fewer renewals than the legacy rules over the same month', () => {
    const answer = () => ok(X_TOKENS);
    const now = new Sim(connect('x', X, X_TOKENS).state, { answer, rng: prng(1) });
    const before = new Sim(connectLegacy('x', X, X_TOKENS).state, { answer, rng: prng(1) });
    now.runUntil(T0 + 30 * DAY);
    before.runUntil(T0 + 30 * DAY);
    expect(before.effectsOf('renew').length).toBeGreaterThanOrEqual(10 * now.effectsOf('renew').length);
  });
});

describe('X: scheduled posts', () => {
  it('each post finds a renewal a few minutes before it, and that renewal is also the day\'s check', () => {
    const sim = new Sim(connect('x', X, X_TOKENS, { accountId: 'acct-poster' }).state, { answer: () => ok(X_TOKENS), latencyMs: 300, rng: prng(3) });
    const posts = Array.from({ length: 14 }, (_, day) => T0 + day * DAY + 9 * HOUR);
    for (const dueAt of posts) {
      sim.apply({ type: 'nextPostChanged', now: sim.clock, dueAt });
      sim.runUntil(dueAt);
      // The post goes out now: its access token lives.
      expect(sim.state.token.accessExpiresAt).toBeGreaterThan(dueAt);
      const last = sim.effectsOf('renew').at(-1)!;
      expect(dueAt - last.at).toBeLessThanOrEqual(DEFAULT_PUBLISH_LEAD_MS);
      expect(dueAt - last.at).toBeGreaterThanOrEqual(DEFAULT_PUBLISH_LEAD_MS / 2);
      sim.apply({ type: 'nextPostChanged', now: dueAt });
    }
    const renewals = sim.effectsOf('renew');
    expect(renewals.filter(({ effect }) => effect.type === 'renew' && effect.trigger === 'post')).toHaveLength(posts.length);
    // A renewal before a post proves the connection too: no separate daily check on posting days.
    expect(renewals.length).toBeLessThanOrEqual(posts.length + 1);
    expect(sim.notifications()).toEqual([]);
  });

  it('a renewal for a post that fails transiently is retried before the post is due', () => {
    const dueAt = T0 + 2 * DAY + 9 * HOUR;
    let failures = 0;
    const answer = (): PlatformAnswer => (failures++ < 3 ? transient() : ok(X_TOKENS));
    const sim = new Sim(connect('x', X, X_TOKENS, { config: { checkEveryMs: 30 * DAY } }).state, { answer, rng: prng(5) });
    sim.apply({ type: 'nextPostChanged', now: T0, dueAt });
    sim.runUntil(dueAt);
    const attempts = sim.effectsOf('renew').map(({ at }) => at);
    expect(attempts).toHaveLength(4);
    expect(attempts.every((at) => at < dueAt && at >= dueAt - DEFAULT_PUBLISH_LEAD_MS)).toBe(true);
    expect(sim.state.token.accessExpiresAt).toBeGreaterThan(dueAt);
  });

  it('a post due now (publish now, or overdue after a reconnect) renews at once', () => {
    const { state } = connect('x', X, X_TOKENS, { accountId: 'acct-now' });
    const later = T0 + 5 * HOUR;
    const queued = transition(state, { type: 'nextPostChanged', now: later, dueAt: later }).state;
    expect(nextWakeAt(queued)).toBeLessThanOrEqual(later);
    expect(transition(queued, { type: 'wake', now: later }).effects).toContainEqual({ type: 'renew', trigger: 'post' });
  });

  it('reschedules and cancellations move or drop the renewal planned for the post', () => {
    const { state } = connect('x', X, X_TOKENS, { accountId: 'acct-moves' });
    const first = transition(state, { type: 'nextPostChanged', now: T0, dueAt: T0 + 6 * HOUR }).state;
    expect(nextWakeAt(first)).toBeLessThan(T0 + 6 * HOUR);
    const moved = transition(first, { type: 'nextPostChanged', now: T0, dueAt: T0 + 20 * HOUR }).state;
    expect(nextWakeAt(moved)).toBeGreaterThan(T0 + 19 * HOUR);
    const dropped = transition(moved, { type: 'nextPostChanged', now: T0 }).state;
    expect(nextWakeAt(dropped)).toBe(state.checkAt);
  });
});

describe('health checks detect revocations', () => {
  it('X: the daily renewal is refused → expired with X\'s reason', () => {
    const revokedAt = T0 + 3.5 * DAY;
    const refused = reauth('refresh_token_invalid', 'Value passed for the token was invalid.');
    const sim = new Sim(connect('x', X, X_TOKENS).state, { answer: (_op, now) => (now < revokedAt ? ok(X_TOKENS) : refused), rng: prng(2) });
    sim.runUntil(T0 + 6 * DAY);
    expect(sim.state.status).toBe('expired');
    expect(sim.state.reason).toEqual({ code: 'refresh_token_invalid', detail: 'Value passed for the token was invalid.' });
    const expiredAt = sim.notifications().find((n) => n.kind === 'expired')!.at;
    expect(expiredAt - revokedAt).toBeLessThanOrEqual(1.1 * DAY);
  });

  it('YouTube: tokeninfo refuses a live token → one renewal decides, and its refusal expires the account', () => {
    const { state } = connect('youtube', YOUTUBE, { accessSec: 3600 });
    // A check while the access token lives inspects it.
    const checking = transition({ ...state, checkAt: T0 + 10 * MIN }, { type: 'wake', now: T0 + 10 * MIN });
    expect(checking.effects).toContainEqual({ type: 'validate', trigger: 'check' });
    const refused = reauth('access_token_rejected', 'Google refused the access token');
    const renewing = transition(checking.state, { type: 'validationFailed', now: T0 + 10 * MIN, failure: refused, jitter: 0.5 });
    expect(renewing.state.status).toBe('active');
    expect(renewing.effects).toContainEqual({ type: 'renew', trigger: 'rejected' });
    const grantGone = reauth('refresh_token_invalid', 'Token has been expired or revoked.');
    const expired = transition(renewing.state, { type: 'renewalFailed', now: T0 + 11 * MIN, failure: grantGone, jitter: 0.5 });
    expect(expired.state).toMatchObject({ status: 'expired', reason: { code: 'refresh_token_invalid', detail: 'Token has been expired or revoked.' } });
  });

  it('LinkedIn (nothing renews): introspection saying revoked expires the account with that reason', () => {
    const sim = new Sim(connect('linkedin', LINKEDIN, LIFETIMES.linkedin).state, {
      answer: (op, now) => (now < T0 + 2 * DAY ? ok({}) : reauth('token_revoked', 'LinkedIn says the member revoked Tether’s access')),
    });
    sim.runUntil(T0 + 4 * DAY);
    expect(sim.effectsOf('renew')).toEqual([]);
    expect(sim.effectsOf('validate').length).toBeGreaterThanOrEqual(2);
    expect(sim.state).toMatchObject({ status: 'expired', reason: { code: 'token_revoked' } });
  });
});

describe('grants that age out', () => {
  it('LinkedIn without partner refresh: checked daily, warned at day 53, expired at day 60', () => {
    const sim = new Sim(connect('linkedin', LINKEDIN, LIFETIMES.linkedin).state, { answer: () => ok({}) });
    sim.runUntil(T0 + 70 * DAY);
    expect(sim.notifications().map((n) => [n.kind, n.at])).toEqual([
      ['expiring', T0 + 53 * DAY],
      ['expired', T0 + 60 * DAY],
    ]);
    expect(sim.effectsOf('renew')).toEqual([]);
    const checks = sim.effectsOf('validate').map(({ at }) => at);
    expect(checks.length).toBeGreaterThanOrEqual(50);
    expect(checks.every((at) => at < T0 + 60 * DAY)).toBe(true);
  });

  it('LinkedIn partner: no pointless renewals before the fixed 365-day end, then a warning', () => {
    const refreshEnd = T0 + 365 * DAY;
    const answer = (op: string, now: number): PlatformAnswer =>
      op === 'renew' ? ok({ accessSec: 60 * 86400, refreshSec: Math.round((refreshEnd - now) / 1000) }) : ok({});
    const sim = new Sim(connect('linkedin', LINKEDIN_PARTNER, { accessSec: 60 * 86400, refreshSec: 365 * 86400 }).state, { answer, latencyMs: 800 });
    sim.runUntil(T0 + 500 * DAY);
    // Introspected daily while the 60-day access token lives; renewed only when a check finds it dead.
    const renewals = sim.effectsOf('renew').map(({ at }) => at);
    expect(renewals.length).toBeGreaterThanOrEqual(5);
    expect(renewals.length).toBeLessThanOrEqual(7);
    renewals.slice(1).forEach((at, i) => expect(at - renewals[i]!).toBeGreaterThanOrEqual(60 * DAY));
    expect(renewals.every((at) => at < refreshEnd)).toBe(true);
    expect(refreshEnd - renewals.at(-1)!).toBeLessThanOrEqual(15 * DAY);
    expect(sim.effectsOf('validate').length).toBeGreaterThan(300);
    const finalExpiry = renewals.at(-1)! + 800 + 60 * DAY;
    expect(sim.notifications().map((n) => [n.kind, n.at, n.deadline])).toEqual([
      ['expiring', finalExpiry - 7 * DAY, finalExpiry],
      ['expired', finalExpiry, undefined],
    ]);
  });

  it('LinkedIn partner renewed long before the fixed end gets one last renewal just before it', () => {
    const refreshEnd = T0 + 365 * DAY;
    const renewedOnDay300 = connect('linkedin', LINKEDIN_PARTNER, { accessSec: 60 * 86400, refreshSec: 65 * 86400 }, { now: T0 + 300 * DAY }).state;
    // The policy says the refresh end is fixed: nothing before the last chance is worth renewing.
    expect(renewedOnDay300.renewAt).toBeGreaterThan(refreshEnd - HOUR);
    expect(renewedOnDay300.renewAt).toBeLessThan(refreshEnd);
  });

  it('Threads: inspected daily, exchanged at day 45–51 of 60, never warned', () => {
    const sim = new Sim(connect('threads', THREADS, LIFETIMES.threads).state, { answer: () => ok(LIFETIMES.threads), rng: prng(3) });
    sim.runUntil(T0 + 200 * DAY);
    const exchanges = sim.effectsOf('renew').map(({ at }) => at);
    expect(exchanges[0]).toBeGreaterThanOrEqual(T0 + 45 * DAY);
    expect(exchanges[0]).toBeLessThanOrEqual(T0 + 51 * DAY);
    expect(exchanges.length).toBeGreaterThanOrEqual(3);
    expect(exchanges.length).toBeLessThanOrEqual(5);
    expect(sim.effectsOf('validate').length).toBeGreaterThan(150);
    expect(sim.notifications()).toEqual([]);
  });

  it('Pinterest: inspected while its 30-day access token lives, refreshed when it is dead, its sliding 60-day refresh token never ages out', () => {
    const tokens = { accessSec: 30 * 86400, refreshSec: 60 * 86400 };
    const sim = new Sim(connect('pinterest', PINTEREST, tokens).state, { answer: () => ok(tokens), rng: prng(4) });
    sim.runUntil(T0 + 365 * DAY);
    const renewals = sim.effectsOf('renew').map(({ at }) => at);
    expect(renewals.length).toBeGreaterThanOrEqual(11);
    expect(renewals.length).toBeLessThanOrEqual(14);
    expect(sim.effectsOf('validate').length).toBeGreaterThan(300);
    expect(sim.notifications()).toEqual([]);
  });

  it('YouTube: the daily check refreshes the hour-long token, so the six-month unused limit slides and never nears', () => {
    const sim = new Sim(connect('youtube', YOUTUBE, LIFETIMES.youtube).state, { answer: () => ok(LIFETIMES.youtube), rng: prng(8) });
    sim.runUntil(T0 + 60 * DAY);
    expect(sim.effectsOf('renew').length).toBeLessThanOrEqual(60);
    expect(expiryDeadline(sim.state)!.at).toBeGreaterThan(T0 + 200 * DAY);
    expect(sim.notifications()).toEqual([]);
  });

  it('a grant renewal keeps an unused refresh token alive when health checks are rarer than its limit', () => {
    const sim = new Sim(connect('youtube', YOUTUBE, LIFETIMES.youtube, { config: { checkEveryMs: 400 * DAY } }).state, { answer: () => ok(LIFETIMES.youtube), rng: prng(9) });
    sim.runUntil(T0 + 400 * DAY);
    const renewals = sim.effectsOf('renew');
    expect(renewals.length).toBeGreaterThanOrEqual(2);
    expect(renewals.every(({ effect }) => effect.type === 'renew' && effect.trigger === 'grant')).toBe(true);
    expect(renewals[0]!.at).toBeGreaterThanOrEqual(T0 + 135 * DAY);
    expect(renewals[0]!.at).toBeLessThanOrEqual(T0 + 153 * DAY);
    expect(sim.notifications()).toEqual([]);
  });

  it('Facebook Page: validated daily, warned before data access ends, expired only when validation fails after it', () => {
    const dataAccessEnd = T0 + 90 * DAY;
    const answer = (_op: string, now: number): PlatformAnswer => (now >= dataAccessEnd ? { kind: 'invalid', message: '(#200) data access expired' } : ok({}));
    const sim = new Sim(connect('facebook', { renewal: 'validate' }, LIFETIMES.facebookPage).state, { answer, rng: prng(2) });
    sim.runUntil(T0 + 100 * DAY);
    const validations = sim.effectsOf('validate').map(({ at }) => at);
    expect(validations.length).toBeGreaterThanOrEqual(82);
    expect(validations.length).toBeLessThanOrEqual(91);
    expect(sim.notifications().map((n) => [n.kind, n.code])).toEqual([
      ['expiring', 'data_access_expiring'],
      ['expired', 'data_access_expired'],
    ]);
  });
});

describe('transient trouble', () => {
  it('a day-long 5xx storm at X\'s check: retries capped at 30 minutes, never expires or warns, recovers', () => {
    const stormStart = T0 + DAY;
    const stormEnd = stormStart + DAY;
    const answer = (_op: string, now: number): PlatformAnswer => (now >= stormStart && now < stormEnd ? transient() : ok(X_TOKENS));
    const sim = new Sim(connect('x', X, X_TOKENS).state, { answer, rng: prng(5) });
    sim.runUntil(stormEnd + 3 * HOUR);
    expect(sim.log.every((step) => step.state.status === 'active')).toBe(true);
    expect(sim.notifications()).toEqual([]);
    const attempts = sim.effectsOf('renew').map(({ at }) => at).filter((at) => at >= stormStart && at <= stormEnd + RETRY_MAX_MS);
    attempts.slice(1).forEach((at, i) => expect(at - attempts[i]!).toBeLessThanOrEqual(RETRY_MAX_MS));
    expect(sim.state.consecutiveFailures).toBe(0);
    expect(sim.state.reason).toBeUndefined();
  });

  it('a 429 at a check waits for the reset (plus bounded jitter) and says so', () => {
    const { state } = connect('x', X, X_TOKENS);
    const due = state.checkAt!;
    const checking = transition(state, { type: 'wake', now: due });
    expect(checking.effects).toContainEqual({ type: 'renew', trigger: 'check' });
    const resetAt = due + 12 * MIN;
    const { state: waiting } = transition(checking.state, { type: 'renewalFailed', now: due + SEC, failure: rateLimited(resetAt), jitter: 1 });
    expect(waiting.retry!.at).toBeGreaterThanOrEqual(resetAt);
    expect(waiting.retry!.at).toBeLessThanOrEqual(resetAt + RATE_LIMIT_JITTER_MS);
    expect(waiting.reason?.code).toBe('rate_limited');
    expect(describeNext(waiting)).toEqual({ action: 'retryRenewal', at: waiting.retry!.at });
  });
});

describe('renew now', () => {
  it('renews an X token at once, and the renewal counts as the day\'s check', () => {
    const { state } = connect('x', X, X_TOKENS);
    const asked = transition(state, { type: 'refreshRequested', now: T0 + 5 * HOUR });
    expect(asked.effects).toContainEqual({ type: 'renew', trigger: 'requested' });
    const renewed = transition(asked.state, { type: 'renewalSucceeded', now: T0 + 5 * HOUR, lifetimes: X_TOKENS, jitter: 0 }).state;
    expect(renewed.lastRenewedAt).toBe(T0 + 5 * HOUR);
    expect(renewed.lastCheckedAt).toBe(T0 + 5 * HOUR);
    expect(renewed.checkAt).toBe(T0 + 5 * HOUR + DAY);
  });
});

describe('migration from the legacy rules', () => {
  it('an X account mid-way through legacy renewals moves to one check a day after its last renewal', () => {
    const legacy = new Sim(connectLegacy('x', { renewal: 'rotatingRefresh' }, X_TOKENS).state, { answer: () => ok(X_TOKENS), rng: prng(6) });
    legacy.runUntil(T0 + 10 * HOUR);
    const lastIssued = legacy.state.token.issuedAt;
    const migrated = transition(legacy.state, { type: 'rulesMigrated', now: T0 + 10 * HOUR, policy: X, config: {}, jitter: 0 });
    expect(types(migrated.effects)).toEqual(['recordStatus']);
    expect(migrated.state).toMatchObject({ schemaVersion: 2, status: 'active', checkAt: lastIssued + DAY, lastCheckedAt: lastIssued });
    expect(migrated.state.token.refreshExpiresAt).toBe(lastIssued + 180 * DAY);
    const sim = new Sim(migrated.state, { answer: () => ok(X_TOKENS), rng: prng(6) }, T0 + 10 * HOUR);
    sim.runUntil(T0 + 10 * DAY);
    expect(sim.effectsOf('renew').length).toBeLessThanOrEqual(10);
  });

  it('a Facebook Page keeps its planned validation as its next check', () => {
    const legacy = connectLegacy('facebook', POLICIES.validate, LIFETIMES.facebookPage).state;
    const migrated = transition(legacy, { type: 'rulesMigrated', now: T0 + HOUR, policy: { renewal: 'validate' }, config: {}, jitter: 0.5 }).state;
    expect(migrated.checkAt).toBe(legacy.validateAt);
    expect(migrated.validateAt).toBeUndefined();
    expect(plannedCheckAt(migrated, T0, 0)).toBe(T0 + DAY);
  });
});
