import { describe, expect, it } from 'vitest';
import { PLATFORM_IDS, PLATFORM_NAMES } from '../../../platforms/types.js';
import { formatDate, formatDateTime, formatMoment, formatTime, retryReason, tokenExpiredReason } from '../../../workflows/lifecycle/reasons.js';
import { HOUR, MIN } from './support.js';

const AT = Date.UTC(2027, 0, 21, 14, 5, 30);

describe('reason texts', () => {
  it('formats dates and times in UTC', () => {
    expect(formatDate(AT)).toBe('21 Jan 2027');
    expect(formatTime(AT)).toBe('14:05 UTC');
    expect(formatDateTime(AT)).toBe('21 Jan 2027, 14:05 UTC');
    expect(formatMoment(AT, AT - 2 * HOUR)).toBe('14:05 UTC');
    expect(formatMoment(AT, AT - 30 * HOUR)).toBe('21 Jan 2027, 14:05 UTC');
  });

  it('names every platform', () => {
    expect(Object.keys(PLATFORM_NAMES).sort()).toEqual([...PLATFORM_IDS].sort());
  });

  it('says what happened, to which platform, and when', () => {
    expect(tokenExpiredReason('linkedin', AT, 'access')).toEqual({
      code: 'token_expired',
      message: 'The LinkedIn access token expired on 21 Jan 2027, 14:05 UTC — reconnect to continue',
    });
    const limited = retryReason('x', 'renew', { kind: 'rateLimited', resetAt: new Date(AT).toISOString(), message: '429' }, AT + 10_000, AT - 20 * MIN);
    expect(limited).toEqual({ code: 'rate_limited', message: 'X is rate-limiting until 14:05 UTC, retrying' });
    const failed = retryReason('youtube', 'renew', { kind: 'transient', message: '503 Service Unavailable' }, AT, AT - MIN);
    expect(failed).toEqual({ code: 'renewal_retrying', message: 'YouTube did not complete the token renewal (503 Service Unavailable); retrying at 14:05 UTC' });
  });
});
