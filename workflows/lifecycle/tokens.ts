// Token arithmetic: turning lifetimes a platform reports into absolute token times, and handing a
// newly issued token to its schema's rules to plan. Pure; times are epoch ms, jitter is 0..1.
import type { LifecycleState, Lifetimes, TokenTimes } from './types.js';
import { lifetimeMs } from './timing.js';
import { rulesOf } from './versions.js';

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
 * Schema 2: a refresh token that reports no expiry but dies unused after the policy's idle limit
 * (Google, X) has just been issued or used, so it lives that long from now.
 */
function withIdleLimit(state: LifecycleState, lifetimes: Lifetimes | undefined): Lifetimes | undefined {
  const { policy } = state;
  const refreshes = policy.renewal === 'refresh' || policy.renewal === 'rotatingRefresh';
  if (state.schemaVersion !== 2 || !refreshes || lifetimes?.refreshSec !== undefined || policy.refreshIdleSec === undefined) return lifetimes;
  return { ...lifetimes, refreshSec: policy.refreshIdleSec };
}

/**
 * A token was issued at `now` (a connect when `fresh`, else a renewal): record its times and let its
 * schema's rules plan what comes next. A renewal keeps the refresh and data-access deadlines it re-reports.
 */
export function issueToken(state: LifecycleState, now: number, reported: Lifetimes | undefined, jitter: number, fresh: boolean): void {
  const previous = state.token;
  const lifetimes = withIdleLimit(state, reported);
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
  rulesOf(state).planIssued(state, now, jitter, fresh);
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
