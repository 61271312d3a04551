import { describe, expect, it } from 'vitest';
import { RECONNECT_CODES, REFRESH_THEN_RETRY_CODES } from '../../../platforms/codes.js';
import { phraseReason, type PhrasableReason } from '../../../services/phrasing/index.js';
import { CALL_REASON_CODES, LIFECYCLE_REASON_CODES, type ReasonCode } from '../../../workflows/lifecycle/codes.js';

// Every reason code in words, in UTC and in two zones across their DST changes.

/** 29 Mar 2026, 00:30 UTC: half an hour before Europe/Berlin moves its clocks from 02:00 to 03:00. */
const AT = Date.UTC(2026, 2, 29, 0, 30);
const HOUR = 3_600_000;
const utc = { platform: 'x' as const, timeZone: 'UTC' };
const when = '29 Mar 2026, 00:30 UTC';
const retry = { code: 'renewal_retrying', at: AT - 2 * HOUR, detail: 'X is having trouble (HTTP 503); Tether will retry' } as const;

/** One example of every code, and how a UTC reader reads it (about X unless it says otherwise). */
const EXAMPLES: Record<ReasonCode, { reason: PhrasableReason; words: string }> = {
  token_expiring: { reason: { code: 'token_expiring', at: AT }, words: `X cannot renew this token automatically; it expires on ${when} — reconnect before then` },
  authorization_ending: { reason: { code: 'authorization_ending', at: AT }, words: `The X authorization can no longer be renewed and ends on ${when} — reconnect before then` },
  data_access_expiring: { reason: { code: 'data_access_expiring', at: AT }, words: `X data access for this account ends on ${when} — reconnect to grant it again` },
  renewal_failing: {
    reason: { code: 'renewal_failing', at: AT, count: 3, cause: retry },
    words: `Renewing the X token has failed 3 times in a row (latest: X did not complete the token renewal (X is having trouble (HTTP 503); Tether will retry); retrying at 28 Mar 2026, 22:30 UTC); it stops working on ${when} unless a renewal succeeds — reconnect to be safe`,
  },
  access_expired: { reason: { code: 'access_expired', at: AT }, words: `The X access token expired on ${when} — reconnect to continue` },
  authorization_expired: { reason: { code: 'authorization_expired', at: AT }, words: `The X authorization expired on ${when} — reconnect to continue` },
  data_access_expired: {
    reason: { code: 'data_access_expired', at: AT, detail: 'Session has expired' },
    words: `X data access ended on ${when} and the token no longer validates (Session has expired) — reconnect to continue`,
  },
  expired: { reason: { code: 'expired' }, words: 'The X token has expired — reconnect to continue' },
  rate_limited: { reason: { code: 'rate_limited', at: AT }, words: `X is rate-limiting until ${when}, retrying` },
  renewal_rejected: { reason: { code: 'renewal_rejected', at: AT, detail: 'malformed token response' }, words: `X rejected the token renewal (malformed token response); retrying at ${when}` },
  validation_rejected: { reason: { code: 'validation_rejected', at: AT, detail: 'malformed' }, words: `X rejected the token check (malformed); retrying at ${when}` },
  renewal_retrying: { reason: { code: 'renewal_retrying', at: AT, detail: 'timeout' }, words: `X did not complete the token renewal (timeout); retrying at ${when}` },
  validation_retrying: { reason: { code: 'validation_retrying', at: AT }, words: `X did not complete the token check; retrying at ${when}` },
  renewal_unavailable: { reason: { code: 'renewal_unavailable', at: AT }, words: `X cannot renew this token; reconnect before ${when}` },
  renewal_too_early: { reason: { code: 'renewal_too_early', at: AT }, words: `X renews a token only once it is old enough; renewal is possible from ${when}` },
  credentials_invalid: { reason: { code: 'credentials_invalid' }, words: 'X did not accept the credentials' },
  credentials_missing: { reason: { code: 'credentials_missing', detail: 'Tether holds no credentials for this x account' }, words: 'Tether holds no credentials for this X account — reconnect it' },
  reauth_required: { reason: { code: 'reauth_required' }, words: 'X wants this account reconnected' },
  access_removed: { reason: { code: 'access_removed', detail: "the account's age settings changed" }, words: "X ended Tether's access to this account (the account's age settings changed) — reconnect to continue" },
  rejected: { reason: { code: 'rejected' }, words: 'X refused the request' },
  platform_unavailable: { reason: { code: 'platform_unavailable' }, words: 'X could not be reached; try again later' },
  post_gone: { reason: { code: 'post_gone' }, words: 'The post was deleted before it went out' },
  access_token_rejected: { reason: { code: 'access_token_rejected' }, words: 'X refused the access token' },
  access_token_expired: { reason: { code: 'access_token_expired' }, words: 'X says the access token has expired' },
  refresh_token_invalid: { reason: { code: 'refresh_token_invalid' }, words: "X no longer accepts this connection's refresh token — reconnect to continue" },
  refresh_unavailable: { reason: { code: 'refresh_unavailable' }, words: 'X offers no way to renew this token — reconnect to continue' },
  authorization_code_invalid: { reason: { code: 'authorization_code_invalid' }, words: 'X did not accept the sign-in — connect again' },
  consent_denied: { reason: { code: 'consent_denied' }, words: 'Tether was not allowed access on X — connect again and allow it' },
  token_revoked: { reason: { code: 'token_revoked' }, words: "Tether's access on X was revoked — reconnect to continue" },
  token_expired: { reason: { code: 'token_expired' }, words: 'X says the access has expired — reconnect to continue' },
  token_invalid: { reason: { code: 'token_invalid' }, words: 'X no longer accepts the token — reconnect to continue' },
  password_changed: { reason: { code: 'password_changed' }, words: "The X password was changed, which ended Tether's access — reconnect to continue" },
  checkpoint_required: { reason: { code: 'checkpoint_required' }, words: 'X wants you to confirm something in its app — do that, then reconnect' },
  unconfirmed_user: { reason: { code: 'unconfirmed_user' }, words: 'X says the account is not confirmed yet — confirm it, then reconnect' },
  session_invalid: { reason: { code: 'session_invalid' }, words: 'The X session ended — reconnect to continue' },
  app_removed: { reason: { code: 'app_removed' }, words: "You removed Tether's access on X — reconnect to continue" },
  permission_missing: { reason: { code: 'permission_missing' }, words: 'Tether lacks a permission it needs on X — reconnect and allow every permission' },
  account_suspended: { reason: { code: 'account_suspended' }, words: "X suspended this account, so Tether's access ended" },
  account_deactivated: { reason: { code: 'account_deactivated' }, words: "X says this account was deactivated or deleted, so Tether's access ended" },
  no_channel: { reason: { code: 'no_channel' }, words: 'This X account has no channel to post to — create one, then reconnect' },
  app_password_invalid: { reason: { code: 'app_password_invalid' }, words: 'X no longer accepts the app password — reconnect with a new one' },
  two_factor_required: { reason: { code: 'two_factor_required' }, words: 'X asks for a two-factor code — reconnect with an app password' },
};

describe('reasons in words', () => {
  it('has an example for every code of every union', () => {
    const codes = [...LIFECYCLE_REASON_CODES, ...CALL_REASON_CODES, ...REFRESH_THEN_RETRY_CODES, ...RECONNECT_CODES];
    expect(Object.keys(EXAMPLES).sort()).toEqual([...new Set(codes)].sort());
  });

  it.each(Object.entries(EXAMPLES))('%s', (code, { reason, words }) => {
    expect(reason.code).toBe(code);
    expect(phraseReason(reason, utc)).toBe(words);
  });

  it("quotes the platform's words where it gave them, and says ours where it did not", () => {
    const detail = 'X no longer accepts this connection’s refresh token';
    expect(phraseReason({ code: 'refresh_token_invalid', detail }, utc)).toBe(detail);
    expect(phraseReason({ code: 'rejected', detail: 'LinkedIn rejected this post as a duplicate of a recent one; change the text' }, { ...utc, platform: 'linkedin' })).toBe(
      'LinkedIn rejected this post as a duplicate of a recent one; change the text',
    );
    expect(phraseReason({ code: 'app_removed' }, { ...utc, platform: 'facebook' })).toBe("You removed Tether's access on Facebook — reconnect to continue");
    expect(phraseReason({ code: 'renewal_unavailable' }, { ...utc, platform: 'linkedin' })).toBe('LinkedIn cannot renew this token; it does not expire, so nothing needs doing');
  });

  it('reads reasons stored before they were structured as they were written', () => {
    const legacy = { code: 'token_expiring', message: 'LinkedIn cannot renew this token automatically; it expires on 21 Jan 2027, 14:05 UTC — reconnect before then' };
    expect(phraseReason(legacy, { ...utc, timeZone: 'Europe/Berlin' })).toBe(legacy.message);
    expect(phraseReason({ code: 'rateLimited', message: 'Bluesky is rate-limiting until 14:05, retrying' }, utc)).toBe('Bluesky is rate-limiting until 14:05, retrying');
    // A code nobody knows any more: the platform's words, else the code itself.
    expect(phraseReason({ code: 'invalid_grant', detail: 'Token has been expired or revoked.' }, utc)).toBe('Token has been expired or revoked.');
    expect(phraseReason({ code: 'invalid_grant' }, utc)).toBe('X reported a problem (invalid_grant)');
  });

  it('takes the moment as epoch ms, a Date (stored) or an ISO string', () => {
    for (const at of [AT, new Date(AT), new Date(AT).toISOString()]) expect(phraseReason({ code: 'access_expired', at }, utc)).toBe(`The X access token expired on ${when} — reconnect to continue`);
  });
});

describe('moments in the reader\'s time zone', () => {
  it('Europe/Berlin across its spring DST change: an hour later reads two hours later on the wall clock', () => {
    const berlin = { platform: 'linkedin' as const, timeZone: 'Europe/Berlin' };
    expect(phraseReason({ code: 'token_expiring', at: AT }, berlin)).toBe('LinkedIn cannot renew this token automatically; it expires on 29 Mar 2026, 01:30 Europe/Berlin — reconnect before then');
    expect(phraseReason({ code: 'token_expiring', at: AT + HOUR }, berlin)).toBe('LinkedIn cannot renew this token automatically; it expires on 29 Mar 2026, 03:30 Europe/Berlin — reconnect before then');
    expect(phraseReason({ code: 'access_expired', at: AT + HOUR }, { ...berlin, timeZone: 'UTC' })).toBe('The LinkedIn access token expired on 29 Mar 2026, 01:30 UTC — reconnect to continue');
  });

  it('America/New_York across its spring DST change, where the date differs from UTC', () => {
    const springForward = Date.UTC(2026, 2, 8, 6, 59); // 01:59 EST; a minute later it is 03:00 EDT
    const newYork = { platform: 'youtube' as const, timeZone: 'America/New_York' };
    expect(phraseReason({ code: 'authorization_ending', at: springForward }, newYork)).toBe('The YouTube authorization can no longer be renewed and ends on 8 Mar 2026, 01:59 America/New_York — reconnect before then');
    expect(phraseReason({ code: 'authorization_ending', at: springForward + 60_000 }, newYork)).toBe('The YouTube authorization can no longer be renewed and ends on 8 Mar 2026, 03:00 America/New_York — reconnect before then');
    expect(phraseReason({ code: 'access_expired', at: AT }, newYork)).toBe('The YouTube access token expired on 28 Mar 2026, 20:30 America/New_York — reconnect to continue');
  });

  it('a retry later the same day reads as a time alone, in the reader\'s day, not UTC\'s', () => {
    const now = Date.UTC(2026, 2, 28, 22, 50); // 23:50 in Berlin (CET)
    const at = Date.UTC(2026, 2, 28, 23, 10); // 00:10 on the 29th in Berlin
    const reason = { code: 'renewal_retrying', at, detail: 'timeout' };
    expect(phraseReason(reason, { ...utc, now })).toBe('X did not complete the token renewal (timeout); retrying at 23:10 UTC');
    expect(phraseReason(reason, { ...utc, timeZone: 'Europe/Berlin', now })).toBe('X did not complete the token renewal (timeout); retrying at 29 Mar 2026, 00:10 Europe/Berlin');
    expect(phraseReason({ code: 'rate_limited', at: now + 5 * 60_000 }, { ...utc, timeZone: 'Europe/Berlin', now })).toBe('X is rate-limiting until 23:55 Europe/Berlin, retrying');
    // Read later (an email): always with the date.
    expect(phraseReason(reason, utc)).toBe('X did not complete the token renewal (timeout); retrying at 28 Mar 2026, 23:10 UTC');
  });

  it('an unknown zone reads in UTC', () => {
    expect(phraseReason({ code: 'access_expired', at: AT }, { ...utc, timeZone: 'Mars/Olympus_Mons' })).toBe(`The X access token expired on ${when} — reconnect to continue`);
  });
});
