// Reasons as data: a code, the moment it is about, and the platform's own words. No English and no
// time zones here (this runs in the workflow sandbox); services/phrasing/ words them for people.
import type { Failure, PlatformId } from '../../platforms/types.js';
import { isReauthCode } from './codes.js';
import type { Operation, Reason } from './types.js';

export type DeadlineKind = 'access' | 'refresh';

/** The reason with the platform's words as its detail, when it said any. */
function quoting(reason: Reason, detail: string | undefined): Reason {
  return detail ? { ...reason, detail } : reason;
}

export function tokenExpiringReason(_platform: PlatformId, deadline: number, kind: DeadlineKind): Reason {
  return { code: kind === 'access' ? 'token_expiring' : 'authorization_ending', at: deadline };
}

export function renewalFailingReason(_platform: PlatformId, failures: number, deadline: number, last?: Reason): Reason {
  return { code: 'renewal_failing', at: deadline, count: failures, ...(last ? { cause: last } : {}) };
}

export function dataAccessExpiringReason(_platform: PlatformId, deadline: number): Reason {
  return { code: 'data_access_expiring', at: deadline };
}

export function tokenExpiredReason(_platform: PlatformId, at: number, kind: DeadlineKind): Reason {
  return { code: kind === 'access' ? 'access_expired' : 'authorization_expired', at };
}

export function dataAccessExpiredReason(_platform: PlatformId, at: number, failure: Failure): Reason {
  return quoting({ code: 'data_access_expired', at }, failure.message);
}

/** Why an operation is retried at `at`: a rate limit (until its reset when the platform gave one), a rejection, or a failure. */
export function retryReason(_platform: PlatformId, op: Operation, failure: Failure, at: number, now: number): Reason {
  switch (failure.kind) {
    case 'rateLimited': {
      const resetAt = Date.parse(failure.resetAt);
      return { code: 'rate_limited', at: Number.isFinite(resetAt) && resetAt > now ? resetAt : at };
    }
    case 'invalid':
      return quoting({ code: op === 'renew' ? 'renewal_rejected' : 'validation_rejected', at }, failure.message);
    default:
      return quoting({ code: op === 'renew' ? 'renewal_retrying' : 'validation_retrying', at }, failure.message);
  }
}

export function cannotRenewReason(_platform: PlatformId, deadline: number | undefined): Reason {
  return deadline === undefined ? { code: 'renewal_unavailable' } : { code: 'renewal_unavailable', at: deadline };
}

export function renewalTooEarlyReason(_platform: PlatformId, opensAt: number, _now: number): Reason {
  return { code: 'renewal_too_early', at: opensAt };
}

/** The failure a renewal or validation whose result never arrived counts as (its detail). */
export function noResultMessage(op: Operation): string {
  return `no ${op === 'renew' ? 'renewal' : 'validation'} result arrived`;
}

/** A definite refusal from the platform: its code passes through (a code Tether does not know becomes `reauth_required`). */
export function reauthReason(failure: { code: string; message: string }): Reason {
  return quoting({ code: isReauthCode(failure.code) ? failure.code : 'reauth_required' }, failure.message);
}

/** Why one call to the platform (a Premium check, a test post) did not do what it was asked. */
export function failureReason(failure: Failure): Reason {
  switch (failure.kind) {
    case 'reauthRequired':
      return reauthReason(failure);
    case 'rateLimited': {
      const resetAt = Date.parse(failure.resetAt);
      return Number.isFinite(resetAt) ? { code: 'rate_limited', at: resetAt } : quoting({ code: 'rate_limited' }, failure.message);
    }
    case 'invalid':
      return quoting({ code: 'rejected' }, failure.message);
    case 'transient':
      return quoting({ code: 'platform_unavailable' }, failure.message);
  }
}
