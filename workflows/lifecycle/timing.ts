// Shared timing arithmetic: units, jitter, lifetimes, warning lead, when a renewal can work, and
// backoff. The rules that decide *when* to renew and check live in legacy-rules.ts (schema 1) and
// need-rules.ts (schema 2). Times are epoch ms; jitter is 0..1.
import type { Failure, TokenPolicy } from '../../platforms/types.js';
import type { TokenTimes } from './types.js';

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const DEFAULT_WARNING_LEAD_MS = 7 * DAY;
/** A warning lead never exceeds this share of the token's lifetime, so short tokens warn in proportion. */
export const WARNING_LIFETIME_SHARE = 0.25;
/** A renewal planned against a lifetime runs at lifetime × (0.75 + 0.1 × jitter). */
export const RENEWAL_SHARE = 0.75;
export const RENEWAL_JITTER_SHARE = 0.1;
/** No renewal or validation is ever planned sooner than this after a token was issued. */
export const MIN_OPERATION_DELAY_MS = SECOND;
/** Before a refresh token dies, the last renewal happens up to this long ahead of it. */
export const LAST_CHANCE_MARGIN_MS = HOUR;
export const RETRY_BASE_MS = 30 * SECOND;
export const RETRY_MAX_MS = 30 * MINUTE;
/** Retries squeezed in before a last chance are never closer together than this. */
export const LAST_CHANCE_MIN_GAP_MS = 5 * SECOND;
/** After a rate limit resets, retry within this extra window so accounts do not stampede. */
export const RATE_LIMIT_JITTER_MS = 30 * SECOND;
/** Consecutive non-definitive failures after which a near deadline is warned about. */
export const FAILURES_BEFORE_WARNING = 3;
/** A renew/validate whose result never came back is treated as a transient failure after this. */
export const IN_FLIGHT_TIMEOUT_MS = HOUR;

/** Clamp untrusted jitter into 0..1 (NaN → 0.5) so no input can push a time out of its window. */
export function clampJitter(jitter: number): number {
  if (!Number.isFinite(jitter)) return 0.5;
  return Math.min(1, Math.max(0, jitter));
}

/** Seconds from a platform → ms; absent, infinite or non-numeric means "no expiry"; negative → 0. */
export function lifetimeMs(sec: number | undefined): number | undefined {
  if (typeof sec !== 'number' || !Number.isFinite(sec)) return undefined;
  return Math.max(0, Math.round(sec * SECOND));
}

export function warningLead(configuredLeadMs: number, lifetime: number): number {
  const configured = Number.isFinite(configuredLeadMs) && configuredLeadMs >= 0 ? configuredLeadMs : DEFAULT_WARNING_LEAD_MS;
  return Math.max(0, Math.min(configured, lifetime * WARNING_LIFETIME_SHARE));
}

/** Earliest time a renewal of this token can work ('exchange' needs a minimum token age). */
export function renewalOpensAt(policy: TokenPolicy, token: TokenTimes): number {
  const minAgeMs = policy.renewal === 'exchange' ? (lifetimeMs(policy.minTokenAgeSec) ?? 0) : 0;
  return token.issuedAt + minAgeMs;
}

/** Time from which no renewal can succeed; undefined when it never closes. */
export function renewalClosesAt(policy: TokenPolicy, token: TokenTimes): number | undefined {
  switch (policy.renewal) {
    case 'exchange':
      return token.accessExpiresAt; // an expired token cannot be exchanged
    case 'rotatingRefresh':
    case 'refresh':
      return token.refreshExpiresAt;
    default:
      return undefined;
  }
}

/** Whether this policy renews tokens at all. */
export function renews(policy: TokenPolicy): boolean {
  return policy.renewal === 'rotatingRefresh' || policy.renewal === 'refresh' || policy.renewal === 'exchange';
}

/** `issuedAt + lifetime × (0.75 + 0.1 × jitter)`, never sooner than the floor after `issuedAt`. */
export function shareOfLifetime(issuedAt: number, end: number, jitter: number): number {
  const lifetime = Math.max(0, end - issuedAt);
  return Math.max(issuedAt + MIN_OPERATION_DELAY_MS, Math.round(issuedAt + lifetime * (RENEWAL_SHARE + RENEWAL_JITTER_SHARE * clampJitter(jitter))));
}

/** When an 'exchange' token is exchanged: at the share of its life, once it is old enough; undefined when it dies first. */
export function plannedExchangeAt(policy: TokenPolicy, token: TokenTimes, jitter: number): number | undefined {
  const { issuedAt, accessExpiresAt } = token;
  if (accessExpiresAt === undefined) return undefined;
  const regular = shareOfLifetime(issuedAt, accessExpiresAt, jitter);
  const opens = Math.max(issuedAt + MIN_OPERATION_DELAY_MS, renewalOpensAt(policy, token));
  if (opens >= accessExpiresAt) return undefined;
  if (regular >= opens) return regular;
  return Math.round(opens + clampJitter(jitter) * RENEWAL_JITTER_SHARE * (accessExpiresAt - opens));
}

/** The last moment to renew before a refresh token's end: up to an hour (at most a tenth of its life) ahead, by jitter. */
export function lastChanceBefore(issuedAt: number, refreshEnd: number, jitter: number): number {
  const margin = Math.min(LAST_CHANCE_MARGIN_MS, (refreshEnd - issuedAt) * 0.1) * (0.5 + 0.5 * clampJitter(jitter));
  return Math.round(refreshEnd - margin);
}

/**
 * Whether a renewal at `at` extends the usable life by at least a quarter of the access lifetime
 * (a last renewal before a fixed refresh end is then worth it, and is not repeated in ever
 * shorter steps).
 */
export function worthRenewingAt(token: TokenTimes, at: number): boolean {
  if (token.accessExpiresAt === undefined) return false;
  const lifetime = Math.max(0, token.accessExpiresAt - token.issuedAt);
  return at >= token.issuedAt + Math.max(MIN_OPERATION_DELAY_MS, lifetime / 4);
}

/**
 * Retry pacing scales down when little time is at stake (sandbox tokens living seconds, a post due
 * in minutes): base stake/20 (>= 1 s) and cap stake/2, so a retry still lands in time.
 */
function retryScale(stakeMs: number | undefined): { base: number; max: number; rateLimitJitter: number } {
  if (stakeMs === undefined || stakeMs <= 0) return { base: RETRY_BASE_MS, max: RETRY_MAX_MS, rateLimitJitter: RATE_LIMIT_JITTER_MS };
  const base = Math.min(RETRY_BASE_MS, Math.max(SECOND, stakeMs / 20));
  return {
    base,
    max: Math.min(RETRY_MAX_MS, Math.max(base, stakeMs / 2)),
    rateLimitJitter: Math.min(RATE_LIMIT_JITTER_MS, Math.max(SECOND, stakeMs / 10)),
  };
}

/** Exponential backoff: 30 s × 2^(attempt−1), capped at 30 min, scaled by 0.8..1.0 with jitter. */
export function backoffDelay(attempt: number, jitter: number, stakeMs?: number): number {
  const { base, max } = retryScale(stakeMs);
  const exponent = Math.min(Math.max(0, Math.floor(attempt) - 1), 30);
  const capped = Math.min(max, base * 2 ** exponent);
  return Math.round(capped * (0.8 + 0.2 * clampJitter(jitter)));
}

export interface RetryInput {
  now: number;
  failure: Exclude<Failure, { kind: 'reauthRequired' }>;
  attempt: number;
  jitter: number;
  /** A time a retry must not overshoot if it can help it (a deadline, a post's due time). */
  mustPrecede?: number;
  /** How much time is at stake (schema 1: the access token's lifetime); short stakes retry proportionally sooner. */
  tokenLifetimeMs?: number;
}

/** When to retry after a non-definitive failure. */
export function retryAt({ now, failure, attempt, jitter, mustPrecede, tokenLifetimeMs }: RetryInput): number {
  const j = clampJitter(jitter);
  let at: number;
  if (failure.kind === 'rateLimited') {
    const resetAt = Date.parse(failure.resetAt);
    at =
      Number.isFinite(resetAt) && resetAt > now
        ? resetAt + Math.round(j * retryScale(tokenLifetimeMs).rateLimitJitter)
        : now + backoffDelay(attempt, j, tokenLifetimeMs);
  } else if (failure.kind === 'invalid') {
    at = now + backoffDelay(Number.MAX_SAFE_INTEGER, j, tokenLifetimeMs);
  } else {
    at = now + backoffDelay(attempt, j, tokenLifetimeMs);
  }
  if (mustPrecede !== undefined && at >= mustPrecede && now + LAST_CHANCE_MIN_GAP_MS < mustPrecede) {
    // Do not waste the last chance: retry halfway to it instead (even before a rate-limit reset).
    at = now + Math.max(LAST_CHANCE_MIN_GAP_MS, Math.floor((mustPrecede - now) / 2));
  }
  return Math.max(at, now + MIN_OPERATION_DELAY_MS);
}
