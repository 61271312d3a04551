// Token arithmetic: turning lifetimes a platform reports into absolute token times, and deciding
// when a newly issued token is renewed or validated. Pure; times are epoch ms, jitter is 0..1.
import type { LifecycleState, Lifetimes, TokenTimes } from './types.js';
import { lifetimeMs, plannedRenewalAt, plannedValidationAt } from './timing.js';

/** Deadlines that move by less than this are the same deadline re-reported (e.g. "seconds remaining"). */
export function sameDeadline(a: number, b: number, lifetime: number): boolean {
  return Math.abs(a - b) <= Math.min(60_000, Math.max(0, lifetime) / 100);
}

/** A deadline and when it was first seen; its lifetime (end − since) scales the warning lead. */
export interface TrackedEnd {
  end?: number;
  since?: number;
}

/** Merge a newly reported lifetime into a tracked deadline, keeping when it was first seen. */
export function trackEnd(previous: TrackedEnd, sec: number | undefined, now: number, fresh: boolean): TrackedEnd {
  const ms = lifetimeMs(sec);
  if (ms === undefined) {
    if (fresh) return {};
    // Not re-reported: keep it while it lies ahead; one that passed while the token kept working no longer binds.
    return previous.end !== undefined && previous.end > now ? previous : {};
  }
  const end = now + ms;
  if (fresh || previous.end === undefined) return { end, since: now };
  if (sameDeadline(end, previous.end, ms)) return previous;
  return { end, since: end > previous.end ? now : (previous.since ?? now) };
}

/**
 * A token was issued at `now` (a connect when `fresh`, else a renewal): record its times and plan
 * its renewal or validation. A renewal keeps the refresh and data-access deadlines it re-reports.
 */
export function issueToken(state: LifecycleState, now: number, lifetimes: Lifetimes | undefined, jitter: number, fresh: boolean): void {
  const previous = state.token;
  const accessMs = lifetimeMs(lifetimes?.accessSec);
  const refresh = trackEnd({ end: previous.refreshExpiresAt, since: previous.refreshIssuedAt }, lifetimes?.refreshSec, now, fresh);
  const dataAccess = trackEnd({ end: previous.dataAccessExpiresAt, since: previous.dataAccessIssuedAt }, lifetimes?.dataAccessSec, now, fresh);
  const token: TokenTimes = { issuedAt: now };
  if (accessMs !== undefined) token.accessExpiresAt = now + accessMs;
  if (refresh.end !== undefined) {
    token.refreshExpiresAt = refresh.end;
    token.refreshIssuedAt = refresh.since ?? now;
  }
  if (dataAccess.end !== undefined) {
    token.dataAccessExpiresAt = dataAccess.end;
    token.dataAccessIssuedAt = dataAccess.since ?? now;
  }
  state.token = token;
  state.renewAt = plannedRenewalAt(state.policy, token, jitter);
  state.validateAt = plannedValidationAt(state.policy, token, now, jitter);
}

/** The token after a successful validation that re-reported (or stopped reporting) the data-access lifetime. */
export function revalidatedToken(token: TokenTimes, dataAccessSec: number | undefined, now: number): TokenTimes {
  const dataAccess = trackEnd({ end: token.dataAccessExpiresAt, since: token.dataAccessIssuedAt }, dataAccessSec, now, false);
  const next: TokenTimes = { ...token, dataAccessExpiresAt: dataAccess.end, dataAccessIssuedAt: dataAccess.end === undefined ? undefined : (dataAccess.since ?? now) };
  if (next.dataAccessExpiresAt === undefined) {
    delete next.dataAccessExpiresAt;
    delete next.dataAccessIssuedAt;
  }
  return next;
}
