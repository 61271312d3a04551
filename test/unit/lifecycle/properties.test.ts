// Random event sequences (seeded) checked against the machine's invariants, for the current
// schema (renew by need) and the legacy one, including legacy states migrated mid-sequence.
import { describe, expect, it } from 'vitest';
import type { Failure, TokenPolicy } from '../../../platforms/types.js';
import { transition } from '../../../workflows/lifecycle/state.js';
import { expiryDeadline, nextWakeAt } from '../../../workflows/lifecycle/schedule.js';
import { IN_FLIGHT_TIMEOUT_MS, MIN_OPERATION_DELAY_MS, renewalClosesAt } from '../../../workflows/lifecycle/timing.js';
import type { LifecycleEvent, LifecycleState, Lifetimes, SchemaVersion } from '../../../workflows/lifecycle/types.js';
import { connect, DAY, deepFreeze, HOUR, MIN, ok, prng, Sim, T0, transient, type PlatformAnswer } from './support.js';

interface Profile {
  policy: TokenPolicy;
  lifetimes: () => Lifetimes;
}

function profiles(rng: () => number): Profile[] {
  const sec = (max: number) => Math.max(1, Math.round(rng() * max));
  return [
    { policy: { renewal: 'rotatingRefresh', refreshIdleSec: rng() < 0.5 ? sec(40000) : undefined }, lifetimes: () => ({ accessSec: sec(7200), refreshSec: rng() < 0.5 ? sec(86400) : undefined }) },
    { policy: { renewal: 'refresh', check: 'inspect', refreshEnd: rng() < 0.5 ? 'fixed' : 'sliding' }, lifetimes: () => ({ accessSec: sec(3600), refreshSec: rng() < 0.5 ? sec(20000) : undefined }) },
    { policy: { renewal: 'exchange', minTokenAgeSec: sec(600), check: rng() < 0.5 ? 'inspect' : undefined }, lifetimes: () => ({ accessSec: sec(3600) }) },
    { policy: { renewal: 'none', check: rng() < 0.5 ? 'inspect' : undefined }, lifetimes: () => ({ accessSec: rng() < 0.8 ? sec(3600) : undefined }) },
    { policy: { renewal: 'validate', validateEverySec: sec(3600) }, lifetimes: () => ({ dataAccessSec: rng() < 0.7 ? sec(20000) : undefined }) },
  ];
}

function randomFailure(rng: () => number, now: number): Failure {
  const roll = rng();
  if (roll < 0.5) return { kind: 'transient', message: '502 Bad Gateway' };
  if (roll < 0.7) return { kind: 'rateLimited', resetAt: new Date(now + Math.round(rng() * HOUR)).toISOString(), message: '429' };
  if (roll < 0.85) return { kind: 'invalid', message: 'unexpected body' };
  return { kind: 'reauthRequired', code: 'invalid_grant', message: 'revoked' };
}

function randomEvent(rng: () => number, state: LifecycleState, now: number, profile: Profile): LifecycleEvent {
  const jitter = rng();
  if (state.inFlight && rng() < 0.7) {
    const success = rng() < 0.5;
    if (state.inFlight.op === 'renew') {
      return success ? { type: 'renewalSucceeded', now, lifetimes: profile.lifetimes(), jitter } : { type: 'renewalFailed', now, failure: randomFailure(rng, now), jitter };
    }
    return success
      ? { type: 'validationSucceeded', now, dataAccessSec: rng() < 0.5 ? Math.round(rng() * 20000) : undefined, jitter }
      : { type: 'validationFailed', now, failure: randomFailure(rng, now), jitter };
  }
  const roll = rng();
  if (roll < 0.55) return { type: 'wake', now };
  if (roll < 0.65) return { type: 'refreshRequested', now };
  if (roll < 0.73) return { type: 'accessTokenRejected', now };
  if (roll < 0.78) return { type: 'renewalSucceeded', now, lifetimes: profile.lifetimes(), jitter }; // unsolicited
  if (roll < 0.83) return { type: 'renewalFailed', now, failure: randomFailure(rng, now), jitter }; // unsolicited
  if (roll < 0.86) return { type: 'validationFailed', now, failure: randomFailure(rng, now), jitter };
  if (roll < 0.9) return { type: 'revokedByPlatform', now, reason: { code: 'token_revoked', detail: 'revoked at the platform' } };
  if (roll < 0.94) return { type: 'reconnected', now, policy: profile.policy, lifetimes: profile.lifetimes(), jitter };
  if (roll < 0.975) return { type: 'nextPostChanged', now, dueAt: rng() < 0.8 ? now + Math.round(rng() * 3 * HOUR) - 10 * MIN : undefined };
  if (roll < 0.99) return { type: 'rulesMigrated', now, policy: profile.policy, config: { checkEveryMs: Math.round(rng() * 6 * HOUR) }, jitter };
  return { type: 'disconnectRequested', now };
}

/** A cheap assertion: vitest's expect is too slow for tens of thousands of checks. */
function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const SEQUENCES = 150;
const STEPS = 300;

describe.each<SchemaVersion>([2, 1])('invariants over random event sequences, starting in schema %i', (schemaVersion) => {
  it(`hold for ${SEQUENCES} seeded sequences of ${STEPS} events`, { timeout: 60_000 }, () => {
    let checkedExpiries = 0;
    let checkedSequences = 0;
    let migrated = 0;
    for (let seed = 1; seed <= SEQUENCES; seed++) {
      const rng = prng(seed);
      const all = profiles(rng);
      const profile = all[seed % all.length]!;
      const config = { checkEveryMs: Math.round((0.2 + rng()) * HOUR), publishLeadMs: Math.round(rng() * 20 * MIN) };
      let state = connect('x', profile.policy, profile.lifetimes(), { jitter: rng(), accountId: `acct${seed}`, schemaVersion, config }).state;
      let now = T0;
      const seenKeys = new Set<string>();

      for (let step = 0; step < STEPS; step++) {
        const wake = nextWakeAt(state);
        const jumpToWake = wake !== undefined && rng() < 0.6;
        now = jumpToWake ? Math.max(now, wake) : now + Math.round(rng() * rng() * 2 * HOUR);
        const event = jumpToWake ? ({ type: 'wake', now } as const) : randomEvent(rng, state, now, profile);
        const before = deepFreeze(state);
        const context = `seed ${seed} step ${step} ${event.type}`;

        const { state: after, effects } = transition(before, event);

        // Disconnected is absorbing.
        if (before.status === 'disconnected') {
          check(same(after, before) && effects.length === 0, `${context}: disconnected changed`);
        }

        // Exactly one notify per status change; keys never repeat.
        const notifies = effects.flatMap((effect) => (effect.type === 'notify' ? [effect] : []));
        check(after.transitions - before.transitions === notifies.length, `${context}: transitions vs notifies`);
        if (after.status !== before.status) check(notifies.length >= 1, `${context}: silent status change`);
        check(notifies.length <= 2, `${context}: too many notifications`);
        for (const notify of notifies) {
          check(!seenKeys.has(notify.dedupeKey), `${context}: repeated dedupe key`);
          seenKeys.add(notify.dedupeKey);
        }

        // Expired only through a definite failure, a platform revocation or a reached deadline.
        if (after.status === 'expired' && before.status !== 'expired') {
          const code = after.reason?.code;
          const definite = (event.type === 'renewalFailed' || event.type === 'validationFailed') && event.failure.kind === 'reauthRequired';
          const deadline = expiryDeadline(after);
          const deadlineReached = (code === 'access_expired' || code === 'authorization_expired') && deadline !== undefined && now >= deadline.at && after.reason?.at === deadline.at;
          const dataAccess = code === 'data_access_expired' && event.type === 'validationFailed' && now >= (before.token.dataAccessExpiresAt ?? Infinity);
          check(definite || event.type === 'revokedByPlatform' || deadlineReached || dataAccess, `${context}: expired by ${code}`);
          if (!definite && event.type !== 'revokedByPlatform') checkedExpiries++;
        }

        // One operation at a time, and the state knows it is running.
        const operations = effects.filter((effect) => effect.type === 'renew' || effect.type === 'validate');
        check(operations.length <= 1, `${context}: two operations`);
        if (operations[0]) {
          // Only once the running one has ended: its result arrived (a refused check renews next), or it timed out.
          const running = before.inFlight;
          const resultOfRunning = running !== undefined && event.type === (running.op === 'renew' ? 'renewalFailed' : 'validationFailed');
          const timedOut = running !== undefined && event.type === 'wake' && now >= running.since + IN_FLIGHT_TIMEOUT_MS;
          check(running === undefined || resultOfRunning || timedOut, `${context}: operation started while one runs`);
          check(after.inFlight?.op === operations[0].type, `${context}: running operation not recorded`);
        }

        // A wake always makes progress: the shell can never spin.
        if (event.type === 'wake') {
          const next = nextWakeAt(after);
          check(next === undefined || next > now, `${context}: wake would spin`);
        }

        // User-visible changes are recorded.
        if (after.status !== before.status || JSON.stringify(after.reason) !== JSON.stringify(before.reason)) {
          check(effects.some((effect) => effect.type === 'recordStatus'), `${context}: change not recorded`);
        }

        // Renewals are never planned sooner than the floor after issue.
        if (after.renewAt !== undefined) check(after.renewAt - after.token.issuedAt >= MIN_OPERATION_DELAY_MS, `${context}: renewal below floor`);

        // No renewal is planned, or started, once the grant can no longer be renewed.
        const closes = renewalClosesAt(after.policy, after.token);
        if (closes !== undefined && after.schemaVersion === 2) {
          if (after.renewAt !== undefined) check(after.renewAt < closes, `${context}: renewal planned after the grant's end`);
          if (operations[0]?.type === 'renew') check(now < closes, `${context}: renewal started after the grant's end`);
        }
        if (before.schemaVersion === 1 && after.schemaVersion === 2) migrated++;
        // Only a migration changes the schema, and only forwards.
        check(after.schemaVersion >= before.schemaVersion && (after.schemaVersion === before.schemaVersion || event.type === 'rulesMigrated'), `${context}: schema changed`);

        // Plain JSON: the round trip is the identity.
        check(same(JSON.parse(JSON.stringify(after)), after), `${context}: not plain JSON`);

        state = after;
      }
      checkedSequences++;
    }
    // The sequences must actually exercise deadline expiry, not just revocations, and migrations.
    expect(checkedExpiries).toBeGreaterThan(20);
    expect(checkedSequences).toBe(SEQUENCES);
    if (schemaVersion === 1) expect(migrated).toBeGreaterThan(20);
  });
});

describe('renew by need', () => {
  const X: TokenPolicy = { renewal: 'rotatingRefresh', refreshIdleSec: 180 * 86_400 };

  it('an idle X account renews at most once per day, whatever the jitter and latency', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = prng(2000 + seed);
      const latencyMs = Math.round(rng() * 5000);
      const sim = new Sim(connect('x', X, { accessSec: 7200 }, { jitter: rng(), accountId: `idle${seed}` }).state, { answer: () => ok({ accessSec: 7200 }), latencyMs, rng });
      sim.runUntil(T0 + 30 * DAY);
      const renewals = sim.effectsOf('renew').map(({ at }) => at);
      check(renewals.length >= 26 && renewals.length <= 30, `seed ${seed}: ${renewals.length} renewals in 30 days`);
      renewals.slice(1).forEach((at, i) => check(at - renewals[i]! >= DAY, `seed ${seed}: two renewals within a day`));
    }
  });

  it('a post due at T finds a renewal attempted before T whenever the access token would be dead at T', () => {
    let postsNeedingRenewal = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const rng = prng(3000 + seed);
      const accessSec = rng() < 0.3 ? Math.round(30 + rng() * 600) : 7200;
      const answer = (): PlatformAnswer => (rng() < 0.3 ? transient() : ok({ accessSec }));
      const config = { checkEveryMs: Math.round((1 + rng() * 47) * HOUR), publishLeadMs: Math.round((1 + rng() * 20) * MIN) };
      const sim = new Sim(connect('x', X, { accessSec }, { jitter: rng(), accountId: `poster${seed}`, config }).state, { answer, latencyMs: Math.round(rng() * 2000), rng });
      for (let post = 0; post < 20 && sim.state.status === 'active'; post++) {
        const dueAt = sim.clock + Math.round(rng() * rng() * 3 * DAY);
        sim.apply({ type: 'nextPostChanged', now: sim.clock, dueAt });
        const deadAtDue = (sim.state.token.accessExpiresAt ?? Infinity) <= dueAt;
        const attemptsBefore = sim.effectsOf('renew').length;
        sim.runUntil(dueAt);
        if (deadAtDue && dueAt > sim.log[0]!.event.now) {
          postsNeedingRenewal++;
          const attempts = sim.effectsOf('renew').slice(attemptsBefore);
          check(attempts.some(({ at }) => at < dueAt), `seed ${seed} post ${post}: no renewal attempted before the post`);
        }
        sim.apply({ type: 'nextPostChanged', now: sim.clock });
      }
    }
    expect(postsNeedingRenewal).toBeGreaterThan(200);
  });

  it('never spins: after any wake the next wake lies ahead, for every platform profile with posts queued', () => {
    for (let seed = 1; seed <= 80; seed++) {
      const rng = prng(4000 + seed);
      const all = profiles(rng);
      const profile = all[seed % all.length]!;
      let state = connect('x', profile.policy, profile.lifetimes(), { jitter: rng(), accountId: `spin${seed}`, config: { checkEveryMs: Math.round(rng() * 2 * HOUR) + 1 } }).state;
      let now = T0;
      for (let step = 0; step < 500; step++) {
        if (rng() < 0.1) state = transition(state, { type: 'nextPostChanged', now, dueAt: now + Math.round((rng() - 0.2) * 2 * HOUR) }).state;
        const wake = nextWakeAt(state);
        if (wake === undefined) break;
        now = Math.max(now, wake);
        state = transition(state, { type: 'wake', now }).state;
        const next = nextWakeAt(state);
        check(next === undefined || next > now, `seed ${seed} step ${step}: wake would spin`);
        if (state.inFlight) {
          const op = state.inFlight.op;
          const success = rng() < 0.7;
          const event: LifecycleEvent = op === 'renew'
            ? success ? { type: 'renewalSucceeded', now, lifetimes: profile.lifetimes(), jitter: rng() } : { type: 'renewalFailed', now, failure: randomFailure(rng, now), jitter: rng() }
            : success ? { type: 'validationSucceeded', now, jitter: rng() } : { type: 'validationFailed', now, failure: randomFailure(rng, now), jitter: rng() };
          state = transition(state, event).state;
        }
      }
    }
  });

  it('a live account whose platform only ever fails transiently never expires while renewal stays possible', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rng = prng(1000 + seed);
      const refreshSec = 30 * 86400;
      let state = connect('bluesky', { renewal: 'rotatingRefresh' }, { accessSec: 7200, refreshSec }, { jitter: rng() }).state;
      let now = T0;
      for (let step = 0; step < 400; step++) {
        const wake = nextWakeAt(state);
        if (wake === undefined) break;
        now = Math.max(now, wake);
        state = transition(state, { type: 'wake', now }).state;
        if (state.inFlight) {
          const failure: Failure = rng() < 0.5 ? { kind: 'transient', message: 'timeout' } : { kind: 'rateLimited', resetAt: new Date(now + Math.round(rng() * HOUR)).toISOString(), message: '429' };
          state = transition(state, { type: 'renewalFailed', now, failure, jitter: rng() }).state;
        }
        if (now < T0 + refreshSec * 1000) check(state.status !== 'expired', `seed ${seed} step ${step}: expired`);
      }
    }
  });
});
