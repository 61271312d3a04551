// Human reason texts. Dates are rendered in UTC from explicit epoch ms (deterministic in the
// workflow sandbox); pages that know the user's time zone can re-render from the numeric deadline.
import { PLATFORM_NAMES, type Failure, type PlatformId } from '../../platforms/types.js';
import type { Operation, Reason } from './types.js';
import { HOUR } from './timing.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number): string => String(n).padStart(2, '0');

/** "21 Jan 2027" */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()] ?? '?'} ${d.getUTCFullYear()}`;
}

/** "14:05 UTC" */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** "21 Jan 2027, 14:05 UTC" */
export function formatDateTime(ms: number): string {
  return `${formatDate(ms)}, ${formatTime(ms)}`;
}

/** Time only when it is within the next 20 hours, date and time otherwise. */
export function formatMoment(ms: number, now: number): string {
  return ms >= now && ms - now <= 20 * HOUR ? formatTime(ms) : formatDateTime(ms);
}

export type DeadlineKind = 'access' | 'refresh';

const subject = (name: string, kind: DeadlineKind): string =>
  kind === 'access' ? `The ${name} access token` : `The ${name} authorization`;

export function tokenExpiringReason(platform: PlatformId, deadline: number, kind: DeadlineKind): Reason {
  const name = PLATFORM_NAMES[platform];
  return kind === 'access'
    ? { code: 'token_expiring', message: `${name} cannot renew this token automatically; it expires on ${formatDateTime(deadline)} — reconnect before then` }
    : { code: 'authorization_ending', message: `${subject(name, kind)} can no longer be renewed and ends on ${formatDateTime(deadline)} — reconnect before then` };
}

export function renewalFailingReason(platform: PlatformId, failures: number, deadline: number, last?: Reason): Reason {
  const name = PLATFORM_NAMES[platform];
  const detail = last ? ` (latest: ${last.message})` : '';
  return {
    code: 'renewal_failing',
    message: `Renewing the ${name} token has failed ${failures} times in a row${detail}; it stops working on ${formatDateTime(deadline)} unless a renewal succeeds — reconnect to be safe`,
  };
}

export function dataAccessExpiringReason(platform: PlatformId, deadline: number): Reason {
  return {
    code: 'data_access_expiring',
    message: `${PLATFORM_NAMES[platform]} data access for this account ends on ${formatDateTime(deadline)} — reconnect to grant it again`,
  };
}

export function tokenExpiredReason(platform: PlatformId, at: number, kind: DeadlineKind): Reason {
  return {
    code: 'token_expired',
    message: `${subject(PLATFORM_NAMES[platform], kind)} expired on ${formatDateTime(at)} — reconnect to continue`,
  };
}

export function dataAccessExpiredReason(platform: PlatformId, at: number, failure: Failure): Reason {
  return {
    code: 'data_access_expired',
    message: `${PLATFORM_NAMES[platform]} data access ended on ${formatDateTime(at)} and the token no longer validates (${failure.message}) — reconnect to continue`,
  };
}

export function retryReason(platform: PlatformId, op: Operation, failure: Failure, at: number, now: number): Reason {
  const name = PLATFORM_NAMES[platform];
  const what = op === 'renew' ? 'token renewal' : 'token check';
  const when = formatMoment(at, now);
  switch (failure.kind) {
    case 'rateLimited': {
      const resetAt = Date.parse(failure.resetAt);
      const message = Number.isFinite(resetAt) && resetAt > now
        ? `${name} is rate-limiting until ${formatMoment(resetAt, now)}, retrying`
        : `${name} is rate-limiting, retrying at ${when}`;
      return { code: 'rate_limited', message };
    }
    case 'invalid':
      return { code: `${op === 'renew' ? 'renewal' : 'validation'}_rejected`, message: `${name} rejected the ${what} (${failure.message}); retrying at ${when}` };
    default:
      return { code: `${op === 'renew' ? 'renewal' : 'validation'}_retrying`, message: `${name} did not complete the ${what} (${failure.message}); retrying at ${when}` };
  }
}

export function cannotRenewReason(platform: PlatformId, deadline: number | undefined): Reason {
  const name = PLATFORM_NAMES[platform];
  return {
    code: 'renewal_unavailable',
    message: deadline === undefined
      ? `${name} cannot renew this token; it does not expire, so nothing needs doing`
      : `${name} cannot renew this token; reconnect before ${formatDateTime(deadline)}`,
  };
}

export function renewalTooEarlyReason(platform: PlatformId, opensAt: number, now: number): Reason {
  return {
    code: 'renewal_too_early',
    message: `${PLATFORM_NAMES[platform]} renews a token only once it is old enough; renewal is possible from ${formatMoment(opensAt, now)}`,
  };
}

export function noResultMessage(op: Operation): string {
  return `no ${op === 'renew' ? 'renewal' : 'validation'} result arrived`;
}
