import { describe, expect, it } from 'vitest';
import {
  CHECK_ACCESS_MARGIN_MS,
  checkOperation,
  DEFAULT_PUBLISH_LEAD_MS,
  plannedCheckAt,
  plannedGrantRenewalAt,
  postRenewalAt,
  spreadOf,
} from '../../../workflows/lifecycle/need-rules.js';
import { MIN_OPERATION_DELAY_MS } from '../../../workflows/lifecycle/timing.js';
import type { LifecycleState } from '../../../workflows/lifecycle/types.js';
import { connect, DAY, HOUR, LIFETIMES, MIN, POLICIES, SEC, T0 } from './support.js';

// The renew-by-need timing rules (schema 2), function by function.

const withPost = (state: LifecycleState, dueAt: number): LifecycleState => ({ ...state, nextPostAt: dueAt });

describe('plannedGrantRenewalAt', () => {
  it('renews a sliding refresh token at 75–85 % of its life (Pinterest: day 45–51 of 60)', () => {
    const token = { issuedAt: T0, accessExpiresAt: T0 + 30 * DAY, refreshExpiresAt: T0 + 60 * DAY, refreshIssuedAt: T0 };
    expect(plannedGrantRenewalAt(POLICIES.rotating, token, 0)).toBe(T0 + 45 * DAY);
    expect(plannedGrantRenewalAt(POLICIES.rotating, token, 1)).toBe(T0 + 51 * DAY);
  });

  it('does not renew a grant that does not age (no known refresh end) or cannot be renewed', () => {
    expect(plannedGrantRenewalAt(POLICIES.rotating, { issuedAt: T0, accessExpiresAt: T0 + 2 * HOUR }, 0.5)).toBeUndefined();
    expect(plannedGrantRenewalAt(POLICIES.none, { issuedAt: T0, accessExpiresAt: T0 + 60 * DAY }, 0.5)).toBeUndefined();
    expect(plannedGrantRenewalAt(POLICIES.validate, { issuedAt: T0 }, 0.5)).toBeUndefined();
  });

  it('exchanges an exchange token at 75–85 % of its life, never before it is old enough', () => {
    expect(plannedGrantRenewalAt(POLICIES.exchange, { issuedAt: T0, accessExpiresAt: T0 + 60 * DAY }, 0)).toBe(T0 + 45 * DAY);
    expect(plannedGrantRenewalAt(POLICIES.exchange, { issuedAt: T0, accessExpiresAt: T0 + 20 * HOUR }, 0.5)).toBeUndefined();
  });

  it('renews a fixed refresh end (LinkedIn partner) only once, just before it, when that extends the life', () => {
    const policy = { renewal: 'refresh' as const, refreshEnd: 'fixed' as const };
    const refreshEnd = T0 + 365 * DAY;
    const first = plannedGrantRenewalAt(policy, { issuedAt: T0, accessExpiresAt: T0 + 60 * DAY, refreshExpiresAt: refreshEnd, refreshIssuedAt: T0 }, 0.5)!;
    expect(first).toBeLessThan(refreshEnd);
    expect(refreshEnd - first).toBeLessThanOrEqual(HOUR);
    expect(plannedGrantRenewalAt(policy, { issuedAt: first, accessExpiresAt: first + 60 * DAY, refreshExpiresAt: refreshEnd, refreshIssuedAt: T0 }, 0.5)).toBeUndefined();
  });

  it('treats a refresh end that a renewal did not move as fixed, whatever the policy says', () => {
    const end = T0 + 60 * DAY;
    // Renewed on day 50, the platform re-reported the same end: no renewal every few seconds towards it.
    const token = { issuedAt: T0 + 50 * DAY, accessExpiresAt: T0 + 50 * DAY + 2 * HOUR, refreshExpiresAt: end, refreshIssuedAt: T0 };
    const at = plannedGrantRenewalAt(POLICIES.rotating, token, 0.5)!;
    expect(end - at).toBeLessThanOrEqual(HOUR);
  });

  it('never plans a renewal after the grant ends', () => {
    for (const jitter of [0, 0.5, 1]) {
      for (const refreshDays of [1, 30, 90, 180]) {
        const end = T0 + refreshDays * DAY;
        const at = plannedGrantRenewalAt(POLICIES.rotating, { issuedAt: T0, accessExpiresAt: T0 + 2 * HOUR, refreshExpiresAt: end, refreshIssuedAt: T0 }, jitter);
        expect(at).toBeLessThan(end);
      }
    }
  });
});

describe('plannedCheckAt', () => {
  const state = (policy = POLICIES.rotating, checkEveryMs?: number) => ({ policy, token: { issuedAt: T0 }, config: { warningLeadMs: 7 * DAY, checkEveryMs } });

  it('checks once a day by default, never sooner, up to 10 % later by jitter', () => {
    expect(plannedCheckAt(state(), T0, 0)).toBe(T0 + DAY);
    expect(plannedCheckAt(state(), T0, 1)).toBe(T0 + 1.1 * DAY);
    expect(plannedCheckAt(state(POLICIES.rotating, 6 * HOUR), T0, 0.5)).toBe(T0 + 6.3 * HOUR);
  });

  it('checks just after a data-access end that comes sooner (validate policy)', () => {
    const facebook = { ...state(POLICIES.validate), token: { issuedAt: T0, dataAccessExpiresAt: T0 + 5 * HOUR } };
    expect(plannedCheckAt(facebook, T0, 0.5)).toBe(T0 + 5 * HOUR + MIN_OPERATION_DELAY_MS);
  });

  it('plans no check where nothing can check (no renewal, no inspection)', () => {
    expect(plannedCheckAt(state(POLICIES.none), T0, 0.5)).toBeUndefined();
    expect(plannedCheckAt(state({ renewal: 'none', check: 'inspect' }), T0, 0.5)).toBe(T0 + 1.05 * DAY);
  });
});

describe('checkOperation', () => {
  it('inspects a live access token where the platform can, renews otherwise', () => {
    const youtube = connect('youtube', { renewal: 'refresh', check: 'inspect' }, LIFETIMES.youtube).state;
    expect(checkOperation(youtube, T0 + 10 * MIN)).toBe('validate');
    expect(checkOperation(youtube, T0 + HOUR - CHECK_ACCESS_MARGIN_MS)).toBe('renew');
    const x = connect('x', POLICIES.rotating, LIFETIMES.x).state;
    expect(checkOperation(x, T0 + 10 * MIN)).toBe('renew');
    const facebook = connect('facebook', POLICIES.validate, LIFETIMES.facebookPage).state;
    expect(checkOperation(facebook, T0 + DAY)).toBe('validate');
    const linkedin = connect('linkedin', { renewal: 'none', check: 'inspect' }, LIFETIMES.linkedin).state;
    expect(checkOperation(linkedin, T0 + DAY)).toBe('validate');
    expect(checkOperation(connect('linkedin', POLICIES.none, LIFETIMES.linkedin).state, T0 + DAY)).toBeUndefined();
  });
});

describe('postRenewalAt', () => {
  const x = connect('x', POLICIES.rotating, LIFETIMES.x, { accountId: 'acct-post' }).state;

  it('renews 5–10 minutes before a post whose access token would be dead by then', () => {
    const dueAt = T0 + 3 * DAY;
    const at = postRenewalAt(withPost(x, dueAt))!;
    expect(at).toBeGreaterThanOrEqual(dueAt - DEFAULT_PUBLISH_LEAD_MS);
    expect(at).toBeLessThanOrEqual(dueAt - DEFAULT_PUBLISH_LEAD_MS / 2);
  });

  it('leaves a post alone when the access token outlives it by the margin', () => {
    expect(postRenewalAt(withPost(x, T0 + HOUR))).toBeUndefined();
    // Due 1 h 55 min after issue: the 2-hour token dies 5 minutes after it, inside the margin.
    expect(postRenewalAt(withPost(x, T0 + 115 * MIN))).toBeDefined();
  });

  it('is not planned twice for the same post, nor again once renewed inside the window', () => {
    const dueAt = T0 + 3 * DAY;
    expect(postRenewalAt({ ...withPost(x, dueAt), postRenewalFor: dueAt })).toBeUndefined();
    const renewed = { ...withPost(x, dueAt), token: { ...x.token, issuedAt: dueAt - 2 * MIN, accessExpiresAt: dueAt - 2 * MIN + 3 * MIN } };
    expect(postRenewalAt(renewed)).toBeUndefined();
  });

  it('scales the lead to tokens that live seconds', () => {
    const sandbox = connect('x', POLICIES.rotating, { accessSec: 8 }, { accountId: 'acct-short' }).state;
    const dueAt = T0 + MIN;
    const at = postRenewalAt(withPost(sandbox, dueAt))!;
    expect(dueAt - at).toBeGreaterThanOrEqual(1 * SEC);
    expect(dueAt - at).toBeLessThanOrEqual(2 * SEC);
  });

  it('is never planned for a token nothing renews, or after the grant ends', () => {
    expect(postRenewalAt(withPost(connect('linkedin', POLICIES.none, { accessSec: 3600 }).state, T0 + 2 * HOUR))).toBeUndefined();
    const ending = connect('x', POLICIES.rotating, { accessSec: 7200, refreshSec: 86_400 }).state;
    expect(postRenewalAt(withPost(ending, T0 + 2 * DAY))).toBeUndefined();
  });

  it('spreads posts due at one moment over the lead\'s earlier half, deterministically', () => {
    const spreads = Array.from({ length: 200 }, (_, i) => spreadOf(`acct-${i}`, T0));
    expect(Math.min(...spreads)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...spreads)).toBeLessThan(1);
    expect(Math.max(...spreads) - Math.min(...spreads)).toBeGreaterThan(0.8);
    expect(spreadOf('acct-1', T0)).toBe(spreadOf('acct-1', T0));
  });
});
