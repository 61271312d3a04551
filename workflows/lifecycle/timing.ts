// Pure timing rules: when to renew, validate, retry and warn. Times are epoch ms; jitter is 0..1.
import type { Failure, TokenPolicy } from '../../platforms/types.js';
import type { TokenTimes } from './types.js';

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const DEFAULT_WARNING_LEAD_MS = 7 * DAY;
/** A warning lead never exceeds this share of the token's lifetime, so short tokens warn in proportion. */
export const WARNING_LIFETIME_SHARE = 0.25;
/** Renew at lifetime × (0.75 + 0.1 × jitter). */
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
export const DEFAULT_VALIDATE_EVERY_SEC = 24 * 60 * 60;
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

/**
 * When to renew a freshly issued token, or undefined when nothing can renew it (policy none/validate,
 * no access expiry, an 'exchange' token that dies before it is old enough, or a refresh token whose
 * last chance has already been used).
 */
export function plannedRenewalAt(policy: TokenPolicy, token: TokenTimes, jitter: number): number | undefined {
  if (policy.renewal === 'none' || policy.renewal === 'validate') return undefined;
  const { issuedAt, accessExpiresAt } = token;
  if (accessExpiresAt === undefined) return undefined;
  const j = clampJitter(jitter);
  const lifetime = Math.max(0, accessExpiresAt - issuedAt);
  const earliest = issuedAt + MIN_OPERATION_DELAY_MS;
  const regular = Math.max(earliest, Math.round(issuedAt + lifetime * (RENEWAL_SHARE + RENEWAL_JITTER_SHARE * j)));

  if (policy.renewal === 'exchange') {
    const opens = Math.max(earliest, renewalOpensAt(policy, token));
    if (opens >= accessExpiresAt) return undefined;
    if (regular >= opens) return regular;
    return Math.round(opens + j * RENEWAL_JITTER_SHARE * (accessExpiresAt - opens));
  }

  const refreshEnd = token.refreshExpiresAt;
  if (refreshEnd === undefined) return regular;
  const margin = Math.min(LAST_CHANCE_MARGIN_MS, (refreshEnd - issuedAt) * 0.1) * (0.5 + 0.5 * j);
  const lastChance = Math.round(refreshEnd - margin);
  if (regular <= lastChance) return regular;
  // The regular time falls after the refresh token dies: renew once more just before it, but only
  // when that extends the usable life by at least a quarter lifetime, so the last renewal is not
  // repeated in ever shorter steps.
  if (lastChance >= issuedAt + Math.max(MIN_OPERATION_DELAY_MS, lifetime / 4)) return lastChance;
  return undefined;
}

/** Next validation for the 'validate' policy: periodic, or just after a data-access deadline. */
export function plannedValidationAt(policy: TokenPolicy, token: TokenTimes, from: number, jitter: number): number | undefined {
  if (policy.renewal !== 'validate') return undefined;
  const configured = lifetimeMs(policy.validateEverySec);
  const every = configured !== undefined && configured > 0 ? configured : DEFAULT_VALIDATE_EVERY_SEC * SECOND;
  const periodic = from + Math.max(MIN_OPERATION_DELAY_MS, Math.round(every * (0.9 + 0.2 * clampJitter(jitter))));
  const dataAccessEnd = token.dataAccessExpiresAt;
  if (dataAccessEnd !== undefined && dataAccessEnd > from && dataAccessEnd + MIN_OPERATION_DELAY_MS < periodic) {
    return dataAccessEnd + MIN_OPERATION_DELAY_MS;
  }
  return periodic;
}

/** Exponential backoff: 30 s × 2^(attempt−1), capped at 30 min, scaled by 0.8..1.0 with jitter. */
/**
 * Retry pacing scales down for tokens that live less than ~10 minutes (sandbox tokens living
 * seconds): base lifetime/20 (>= 1 s) and cap lifetime/2, so a retry still lands within the token's life.
 */
function retryScale(tokenLifetimeMs: number | undefined): { base: number; max: number; rateLimitJitter: number } {
  if (tokenLifetimeMs === undefined || tokenLifetimeMs <= 0) return { base: RETRY_BASE_MS, max: RETRY_MAX_MS, rateLimitJitter: RATE_LIMIT_JITTER_MS };
  const base = Math.min(RETRY_BASE_MS, Math.max(SECOND, tokenLifetimeMs / 20));
  return {
    base,
    max: Math.min(RETRY_MAX_MS, Math.max(base, tokenLifetimeMs / 2)),
    rateLimitJitter: Math.min(RATE_LIMIT_JITTER_MS, Math.max(SECOND, tokenLifetimeMs / 10)),
  };
}

export function backoffDelay(attempt: number, jitter: number, tokenLifetimeMs?: number): number {
  const { base, max } = retryScale(tokenLifetimeMs);
  const exponent = Math.min(Math.max(0, Math.floor(attempt) - 1), 30);
  const capped = Math.min(max, base * 2 ** exponent);
  return Math.round(capped * (0.8 + 0.2 * clampJitter(jitter)));
}

export interface RetryInput {
  now: number;
  failure: Exclude<Failure, { kind: 'reauthRequired' }>;
  attempt: number;
  jitter: number;
  /** A time a retry must not overshoot if it can help it (access expiry, last chance to renew). */
  mustPrecede?: number;
  /** The current access token's lifetime; short-lived tokens are retried proportionally sooner. */
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
