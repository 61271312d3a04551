// Random event sequences (seeded) checked against the machine's invariants.
import { describe, expect, it } from 'vitest';
import type { Failure, TokenPolicy } from '../../../platforms/types.js';
import { transition } from '../../../workflows/lifecycle/state.js';
import { expiryDeadline, nextWakeAt } from '../../../workflows/lifecycle/schedule.js';
import { MIN_OPERATION_DELAY_MS } from '../../../workflows/lifecycle/timing.js';
import type { LifecycleEvent, LifecycleState, Lifetimes } from '../../../workflows/lifecycle/types.js';
import { connect, deepFreeze, HOUR, prng, T0 } from './support.js';

interface Profile {
  policy: TokenPolicy;
  lifetimes: () => Lifetimes;
}

function profiles(rng: () => number): Profile[] {
  const sec = (max: number) => Math.max(1, Math.round(rng() * max));
  return [
    { policy: { renewal: 'rotatingRefresh' }, lifetimes: () => ({ accessSec: sec(7200), refreshSec: rng() < 0.5 ? sec(86400) : undefined }) },
    { policy: { renewal: 'refresh' }, lifetimes: () => ({ accessSec: sec(3600), refreshSec: rng() < 0.5 ? sec(20000) : undefined }) },
    { policy: { renewal: 'exchange', minTokenAgeSec: sec(600) }, lifetimes: () => ({ accessSec: sec(3600) }) },
    { policy: { renewal: 'none' }, lifetimes: () => ({ accessSec: rng() < 0.8 ? sec(3600) : undefined }) },
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
  if (roll < 0.98) return { type: 'reconnected', now, policy: profile.policy, lifetimes: profile.lifetimes(), jitter };
  return { type: 'disconnectRequested', now };
}

/** A cheap assertion: vitest's expect is too slow for tens of thousands of checks. */
function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const SEQUENCES = 150;
const STEPS = 300;

describe('invariants over random event sequences', () => {
  it(`hold for ${SEQUENCES} seeded sequences of ${STEPS} events`, () => {
    let checkedExpiries = 0;
    let checkedSequences = 0;
    for (let seed = 1; seed <= SEQUENCES; seed++) {
      const rng = prng(seed);
      const all = profiles(rng);
      const profile = all[seed % all.length]!;
      let state = connect('x', profile.policy, profile.lifetimes(), { jitter: rng(), accountId: `acct${seed}` }).state;
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
          check(before.inFlight === undefined, `${context}: operation started while one runs`);
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

        // Plain JSON: the round trip is the identity.
        check(same(JSON.parse(JSON.stringify(after)), after), `${context}: not plain JSON`);

        state = after;
      }
      checkedSequences++;
    }
    // The sequences must actually exercise deadline expiry, not just revocations.
    expect(checkedExpiries).toBeGreaterThan(20);
    expect(checkedSequences).toBe(SEQUENCES);
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
