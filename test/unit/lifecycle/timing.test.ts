import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  clampJitter,
  lifetimeMs,
  MIN_OPERATION_DELAY_MS,
  RATE_LIMIT_JITTER_MS,
  retryAt,
  RETRY_MAX_MS,
  warningLead,
} from '../../../workflows/lifecycle/timing.js';
import { plannedRenewalAt, plannedValidationAt } from '../../../workflows/lifecycle/legacy-rules.js';
import { DAY, HOUR, MIN, POLICIES, SEC, T0 } from './support.js';

describe('plannedRenewalAt (legacy rules, schema 1)', () => {
  it('renews a 2-hour token 18–30 minutes early, scaled by jitter', () => {
    const token = { issuedAt: T0, accessExpiresAt: T0 + 2 * HOUR };
    expect(plannedRenewalAt(POLICIES.rotating, token, 0)).toBe(T0 + 1.5 * HOUR);
    expect(plannedRenewalAt(POLICIES.rotating, token, 1)).toBe(T0 + 1.7 * HOUR);
    expect(plannedRenewalAt(POLICIES.refresh, token, 0.5)).toBe(T0 + 1.6 * HOUR);
  });

  it('renews a 60-day token 6–15 days early', () => {
    const token = { issuedAt: T0, accessExpiresAt: T0 + 60 * DAY };
    const early = plannedRenewalAt(POLICIES.exchange, token, 0)!;
    const late = plannedRenewalAt(POLICIES.exchange, token, 1)!;
    expect(T0 + 60 * DAY - early).toBe(15 * DAY);
    expect(T0 + 60 * DAY - late).toBe(9 * DAY);
    expect(late - early).toBe(6 * DAY);
  });

  it('never plans a renewal sooner than the floor after issue', () => {
    for (const lifetime of [0, 1, 200, 999, 1000, 1300]) {
      const at = plannedRenewalAt(POLICIES.rotating, { issuedAt: T0, accessExpiresAt: T0 + lifetime }, 0);
      expect(at).toBe(T0 + Math.max(MIN_OPERATION_DELAY_MS, Math.round(lifetime * 0.75)));
    }
  });

  it('has nothing to renew for none/validate policies or tokens that do not expire', () => {
    const token = { issuedAt: T0, accessExpiresAt: T0 + HOUR };
    expect(plannedRenewalAt(POLICIES.none, token, 0.5)).toBeUndefined();
    expect(plannedRenewalAt(POLICIES.validate, token, 0.5)).toBeUndefined();
    expect(plannedRenewalAt(POLICIES.rotating, { issuedAt: T0 }, 0.5)).toBeUndefined();
  });

  it('respects the exchange minimum token age, or gives up when the token dies first', () => {
    const thirtyHours = { issuedAt: T0, accessExpiresAt: T0 + 30 * HOUR };
    for (const jitter of [0, 0.3, 1]) {
      const at = plannedRenewalAt(POLICIES.exchange, thirtyHours, jitter)!;
      expect(at).toBeGreaterThanOrEqual(T0 + 24 * HOUR);
      expect(at).toBeLessThan(T0 + 30 * HOUR);
    }
    expect(plannedRenewalAt(POLICIES.exchange, { issuedAt: T0, accessExpiresAt: T0 + HOUR }, 0.5)).toBeUndefined();
    expect(plannedRenewalAt(POLICIES.exchange, { issuedAt: T0, accessExpiresAt: T0 + 24 * HOUR }, 0.5)).toBeUndefined();
  });

  it('renews once more just before a fixed refresh end, but not again after that', () => {
    const refreshEnd = T0 + 20 * DAY;
    const before = plannedRenewalAt(POLICIES.refresh, { issuedAt: T0, accessExpiresAt: T0 + 60 * DAY, refreshExpiresAt: refreshEnd }, 0.5)!;
    expect(before).toBeLessThan(refreshEnd);
    expect(refreshEnd - before).toBeLessThanOrEqual(HOUR);
    const after = plannedRenewalAt(POLICIES.refresh, { issuedAt: before, accessExpiresAt: before + 60 * DAY, refreshExpiresAt: refreshEnd }, 0.5);
    expect(after).toBeUndefined();
  });
});

describe('plannedValidationAt (legacy rules, schema 1)', () => {
  it('validates about daily by default, spread by jitter', () => {
    const token = { issuedAt: T0 };
    const policy = { renewal: 'validate' as const };
    expect(plannedValidationAt(policy, token, T0, 0)).toBe(T0 + 0.9 * DAY);
    expect(plannedValidationAt(policy, token, T0, 1)).toBe(T0 + 1.1 * DAY);
    expect(plannedValidationAt({ renewal: 'validate', validateEverySec: 3600 }, token, T0, 0.5)).toBe(T0 + HOUR);
    expect(plannedValidationAt(POLICIES.rotating, token, T0, 0.5)).toBeUndefined();
  });

  it('validates just after a data-access deadline that comes sooner', () => {
    const token = { issuedAt: T0, dataAccessExpiresAt: T0 + 5 * HOUR };
    expect(plannedValidationAt(POLICIES.validate, token, T0, 0.5)).toBe(T0 + 5 * HOUR + MIN_OPERATION_DELAY_MS);
  });
});

describe('backoff and retries', () => {
  it('doubles from 30 s up to 30 min, jittered down by at most 20 %', () => {
    expect(backoffDelay(1, 1)).toBe(30 * SEC);
    expect(backoffDelay(2, 1)).toBe(60 * SEC);
    expect(backoffDelay(1, 0)).toBe(24 * SEC);
    expect(backoffDelay(7, 1)).toBe(30 * MIN);
    expect(backoffDelay(500, 1)).toBe(30 * MIN);
    expect(backoffDelay(500, 0)).toBe(24 * MIN);
  });

  it('waits for a rate limit to reset, plus a bounded jitter', () => {
    const resetAt = T0 + 15 * MIN;
    const failure = { kind: 'rateLimited' as const, resetAt: new Date(resetAt).toISOString(), message: '429' };
    expect(retryAt({ now: T0, failure, attempt: 1, jitter: 0 })).toBe(resetAt);
    expect(retryAt({ now: T0, failure, attempt: 1, jitter: 1 })).toBe(resetAt + RATE_LIMIT_JITTER_MS);
    const garbled = { ...failure, resetAt: 'soon' };
    expect(retryAt({ now: T0, failure: garbled, attempt: 1, jitter: 1 })).toBe(T0 + 30 * SEC);
  });

  it('uses the maximum backoff for invalid responses', () => {
    expect(retryAt({ now: T0, failure: { kind: 'invalid', message: 'x' }, attempt: 1, jitter: 1 })).toBe(T0 + RETRY_MAX_MS);
  });

  it('retries before a last chance rather than after it', () => {
    const failure = { kind: 'transient' as const, message: '503' };
    const at = retryAt({ now: T0, failure, attempt: 10, jitter: 1, mustPrecede: T0 + 10 * MIN });
    expect(at).toBe(T0 + 5 * MIN);
    // Nothing left to save: the normal backoff applies.
    expect(retryAt({ now: T0, failure, attempt: 10, jitter: 1, mustPrecede: T0 + 2 * SEC })).toBe(T0 + RETRY_MAX_MS);
    // A nearer retry is left alone.
    expect(retryAt({ now: T0, failure, attempt: 1, jitter: 1, mustPrecede: T0 + HOUR })).toBe(T0 + 30 * SEC);
  });
});

describe('small rules', () => {
  it('caps the warning lead at a quarter of the lifetime', () => {
    expect(warningLead(7 * DAY, 60 * DAY)).toBe(7 * DAY);
    expect(warningLead(7 * DAY, 8 * DAY)).toBe(2 * DAY);
    expect(warningLead(7 * DAY, 10 * SEC)).toBe(2.5 * SEC);
  });

  it('sanitises jitter and lifetimes', () => {
    expect(clampJitter(-3)).toBe(0);
    expect(clampJitter(7)).toBe(1);
    expect(clampJitter(Number.NaN)).toBe(0.5);
    expect(lifetimeMs(undefined)).toBeUndefined();
    expect(lifetimeMs(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(lifetimeMs(-5)).toBe(0);
    expect(lifetimeMs(1.5)).toBe(1500);
  });
});

describe('retry pacing scales with short token lifetimes', () => {
  it('keeps the 30 s base and 30 min cap for tokens that live hours', () => {
    expect(backoffDelay(1, 1, 2 * 3600_000)).toBe(30_000);
    expect(backoffDelay(20, 1, 2 * 3600_000)).toBe(30 * 60_000);
  });

  it('retries a token that lives 6 seconds within seconds, never faster than 1 s', () => {
    expect(backoffDelay(1, 1, 6_000)).toBe(1_000);
    expect(backoffDelay(2, 1, 6_000)).toBe(2_000);
    expect(backoffDelay(10, 1, 6_000)).toBe(3_000);
  });

  it('spreads rate-limit retries over at most a tenth of a short lifetime after the reset', () => {
    const resetAt = 1_000_000 + 5_000;
    const at = retryAt({ now: 1_000_000, failure: { kind: 'rateLimited', resetAt: new Date(resetAt).toISOString(), message: 'slow down' }, attempt: 1, jitter: 1, tokenLifetimeMs: 20_000 });
    expect(at).toBe(resetAt + 2_000);
  });
});
