import { describe, expect, it } from 'vitest';
import { PLATFORM_IDS, PLATFORM_NAMES } from '../../../platforms/types.js';
import {
  cannotRenewReason,
  dataAccessExpiredReason,
  dataAccessExpiringReason,
  failureReason,
  reauthReason,
  renewalFailingReason,
  renewalTooEarlyReason,
  retryReason,
  tokenExpiredReason,
  tokenExpiringReason,
} from '../../../workflows/lifecycle/reasons.js';
import { isReasonCode } from '../../../workflows/lifecycle/codes.js';
import { HOUR, MIN } from './support.js';

const AT = Date.UTC(2027, 0, 21, 14, 5, 30);

describe('reasons as data', () => {
  it('names every platform', () => {
    expect(Object.keys(PLATFORM_NAMES).sort()).toEqual([...PLATFORM_IDS].sort());
  });

  it('say what happened and when, in codes and epoch ms, never in words', () => {
    expect(tokenExpiredReason('linkedin', AT, 'access')).toEqual({ code: 'access_expired', at: AT });
    expect(tokenExpiredReason('x', AT, 'refresh')).toEqual({ code: 'authorization_expired', at: AT });
    expect(tokenExpiringReason('linkedin', AT, 'access')).toEqual({ code: 'token_expiring', at: AT });
    expect(tokenExpiringReason('x', AT, 'refresh')).toEqual({ code: 'authorization_ending', at: AT });
    expect(dataAccessExpiringReason('facebook', AT)).toEqual({ code: 'data_access_expiring', at: AT });
    expect(dataAccessExpiredReason('facebook', AT, { kind: 'invalid', message: 'Session has expired' })).toEqual({ code: 'data_access_expired', at: AT, detail: 'Session has expired' });
    expect(cannotRenewReason('linkedin', AT)).toEqual({ code: 'renewal_unavailable', at: AT });
    expect(cannotRenewReason('linkedin', undefined)).toEqual({ code: 'renewal_unavailable' });
    expect(renewalTooEarlyReason('threads', AT, AT - HOUR)).toEqual({ code: 'renewal_too_early', at: AT });
  });

  it('retry reasons carry the retry time (or the rate limit reset) and the platform\'s words', () => {
    const reset = new Date(AT).toISOString();
    expect(retryReason('x', 'renew', { kind: 'rateLimited', resetAt: reset, message: '429' }, AT + 10_000, AT - 20 * MIN)).toEqual({ code: 'rate_limited', at: AT });
    // No usable reset: the retry time is when the limit is tried again.
    expect(retryReason('x', 'renew', { kind: 'rateLimited', resetAt: 'soon', message: '429' }, AT, AT - MIN)).toEqual({ code: 'rate_limited', at: AT });
    expect(retryReason('youtube', 'renew', { kind: 'transient', message: '503 Service Unavailable' }, AT, AT - MIN)).toEqual({ code: 'renewal_retrying', at: AT, detail: '503 Service Unavailable' });
    expect(retryReason('facebook', 'validate', { kind: 'invalid', message: 'malformed' }, AT, AT - MIN)).toEqual({ code: 'validation_rejected', at: AT, detail: 'malformed' });
    expect(retryReason('facebook', 'validate', { kind: 'transient', message: '' }, AT, AT - MIN)).toEqual({ code: 'validation_retrying', at: AT });
  });

  it('a warning about failing renewals counts them and wraps the latest failure', () => {
    const latest = retryReason('x', 'renew', { kind: 'transient', message: 'timeout' }, AT, AT - MIN);
    expect(renewalFailingReason('x', 4, AT + HOUR, latest)).toEqual({ code: 'renewal_failing', at: AT + HOUR, count: 4, cause: latest });
    expect(renewalFailingReason('x', 3, AT)).toEqual({ code: 'renewal_failing', at: AT, count: 3 });
  });

  it('pass platform codes through with the platform\'s words; unknown codes become reauth_required', () => {
    expect(reauthReason({ code: 'refresh_token_invalid', message: 'X no longer accepts it' })).toEqual({ code: 'refresh_token_invalid', detail: 'X no longer accepts it' });
    expect(reauthReason({ code: 'invalid_grant', message: 'Gone' })).toEqual({ code: 'reauth_required', detail: 'Gone' });
    expect(failureReason({ kind: 'rateLimited', resetAt: new Date(AT).toISOString(), message: 'X is rate-limiting' })).toEqual({ code: 'rate_limited', at: AT });
    expect(failureReason({ kind: 'invalid', message: 'Only X has Premium subscriptions' })).toEqual({ code: 'rejected', detail: 'Only X has Premium subscriptions' });
    expect(failureReason({ kind: 'transient', message: 'X answered HTTP 503' })).toEqual({ code: 'platform_unavailable', detail: 'X answered HTTP 503' });
    expect(failureReason({ kind: 'reauthRequired', code: 'token_revoked', message: 'Revoked' })).toEqual({ code: 'token_revoked', detail: 'Revoked' });
  });

  it('knows its codes', () => {
    for (const code of ['access_expired', 'renewal_failing', 'app_removed', 'post_gone']) expect(isReasonCode(code), code).toBe(true);
    for (const code of ['token_expired_on', 'invalid_grant', '']) expect(isReasonCode(code), code).toBe(false);
  });
});
