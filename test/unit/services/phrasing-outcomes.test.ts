import { describe, expect, it } from 'vitest';
import type { RevokeCode, RevokeResult } from '../../../activities/lifecycle/contract.js';
import { phraseCallFailure, phraseHealthCheck, phraseNextAction, phraseRefreshOutcome, phraseRevokeOutcome } from '../../../services/phrasing/index.js';
import type { AccountStateView, RefreshOutcome } from '../../../workflows/account/messages.js';
import type { NextActionCode } from '../../../workflows/lifecycle/codes.js';
import { NEXT_ACTION_CODES } from '../../../workflows/lifecycle/index.js';

// Next actions and the updates' outcomes in words, in the reader's zone.

const AT = Date.UTC(2026, 2, 29, 0, 30);
const ISO = new Date(AT).toISOString();
const berlin = { platform: 'x' as const, timeZone: 'Europe/Berlin' };
const state = (extra: Partial<AccountStateView> = {}): AccountStateView => ({ accountId: 'a1', platform: 'x', status: 'active', queuePaused: false, queue: { queued: 0 }, ...extra });

describe('next actions in words', () => {
  const words: Record<NextActionCode, string> = {
    renew: 'Renews the token at 29 Mar 2026, 01:30 Europe/Berlin',
    retryRenewal: 'Tries the renewal again at 29 Mar 2026, 01:30 Europe/Berlin',
    validate: 'Checks the token at 29 Mar 2026, 01:30 Europe/Berlin',
    retryValidation: 'Checks the token again at 29 Mar 2026, 01:30 Europe/Berlin',
    awaitRenewal: 'Waits for the platform to answer the renewal (gives up at 29 Mar 2026, 01:30 Europe/Berlin)',
    awaitValidation: 'Waits for the platform to answer the token check (gives up at 29 Mar 2026, 01:30 Europe/Berlin)',
    renewGrant: 'Renews to keep the authorization at 29 Mar 2026, 01:30 Europe/Berlin',
    check: 'Checks the connection at 29 Mar 2026, 01:30 Europe/Berlin',
    retryCheck: 'Checks the connection again at 29 Mar 2026, 01:30 Europe/Berlin',
    awaitCheck: 'Waits for the platform to answer the connection check (gives up at 29 Mar 2026, 01:30 Europe/Berlin)',
    renewBeforePost: 'Renews the token for the next post at 29 Mar 2026, 01:30 Europe/Berlin',
    warn: 'Warns you about the coming expiry at 29 Mar 2026, 01:30 Europe/Berlin',
    markExpired: 'Stops working at 29 Mar 2026, 01:30 Europe/Berlin',
    waitForReconnect: 'Waits for you to reconnect',
    checkCredentials: 'Checks the new credentials',
    nothing: 'Nothing planned',
  };

  it('has words for every code', () => {
    expect(Object.keys(words).sort()).toEqual([...NEXT_ACTION_CODES].sort());
  });

  it.each(Object.entries(words))('%s', (code, expected) => {
    const at = ['waitForReconnect', 'checkCredentials', 'nothing'].includes(code) ? undefined : new Date(AT);
    expect(phraseNextAction(code, at, berlin)).toBe(expected);
  });

  it('later the same day as a time alone; an hour later across the DST change', () => {
    expect(phraseNextAction('renew', AT + 3_600_000, { timeZone: 'Europe/Berlin', now: AT })).toBe('Renews the token at 03:30 Europe/Berlin');
    expect(phraseNextAction('renew', AT + 3_600_000, { timeZone: 'UTC', now: AT })).toBe('Renews the token at 01:30 UTC');
  });

  it('says when the connection was last checked and when it is checked next, in the reader\'s zone', () => {
    expect(phraseHealthCheck(AT - 86_400_000, AT + 3_600_000, { timeZone: 'Europe/Berlin', now: AT })).toBe(
      'Last checked 28 Mar 2026, 01:30 Europe/Berlin; next check 03:30 Europe/Berlin.',
    );
    expect(phraseHealthCheck(new Date(AT), undefined, { timeZone: 'UTC' })).toBe('Last checked 29 Mar 2026, 00:30 UTC.');
  });

  it('shows next actions stored before they were codes as they were written', () => {
    expect(phraseNextAction('renew token', AT, { timeZone: 'UTC' })).toBe('Renew token at 29 Mar 2026, 00:30 UTC');
    expect(phraseNextAction('wait for the user to reconnect', undefined, { timeZone: 'UTC' })).toBe('Wait for the user to reconnect');
  });
});

describe('"renew now" in words', () => {
  const cases: Array<[string, RefreshOutcome, AccountStateView, string]> = [
    ['renewed', { kind: 'renewed', validUntil: ISO }, state(), 'Renewed; the token is valid until 29 Mar 2026, 01:30 Europe/Berlin.'],
    ['renewed, never expiring', { kind: 'renewed' }, state(), 'Renewed; the token does not expire.'],
    ['renewed by need: the grant', { kind: 'renewed', validUntil: ISO, grant: true }, state(), 'Renewed; the connection is valid until 29 Mar 2026, 01:30 Europe/Berlin.'],
    ['checked by need, without end', { kind: 'checked', grant: true }, state(), 'X confirmed the token; the connection does not expire.'],
    ['checked', { kind: 'checked', validUntil: ISO }, state(), 'X confirmed the token; the token is valid until 29 Mar 2026, 01:30 Europe/Berlin.'],
    ['nothing to do', { kind: 'nothingToDo', validUntil: ISO }, state(), 'Nothing needed renewing; the token is valid until 29 Mar 2026, 01:30 Europe/Berlin.'],
    [
      'nothing to do, and why',
      { kind: 'nothingToDo', validUntil: ISO, reason: { code: 'renewal_too_early', at: AT } },
      state({ reason: { code: 'renewal_too_early', at: AT } }),
      'X renews a token only once it is old enough; renewal is possible from 29 Mar 2026, 01:30 Europe/Berlin.',
    ],
    [
      'failed',
      { kind: 'failed', reason: { code: 'renewal_retrying', at: AT, detail: 'timeout' } },
      state({ reason: { code: 'renewal_retrying', at: AT, detail: 'timeout' } }),
      'X did not complete the token renewal (timeout); retrying at 29 Mar 2026, 01:30 Europe/Berlin.',
    ],
    ['failed without a reason', { kind: 'failed' }, state(), 'The renewal did not complete; try again later.'],
    [
      'renewed, with a warning no renewal lifts',
      { kind: 'renewed', validUntil: ISO },
      state({ status: 'expiring', reason: { code: 'data_access_expiring', at: AT } }),
      'Renewed; the token is valid until 29 Mar 2026, 01:30 Europe/Berlin. X data access for this account ends on 29 Mar 2026, 01:30 Europe/Berlin — reconnect to grant it again.',
    ],
  ];

  it.each(cases)('%s', (_name, outcome, view, expected) => {
    expect(phraseRefreshOutcome({ state: view, outcome }, berlin)).toBe(expected);
  });
});

describe('revoke outcomes in words', () => {
  const words: Record<RevokeCode, string> = {
    revoked: 'Access revoked at Facebook.',
    noRevokeApi: 'Facebook has no way for apps to revoke access; remove Tether in your Facebook settings if you wish.',
    sharedLogin: 'Access was not revoked at Facebook: other connected accounts use the same Facebook login, and revoking it would disconnect them too.',
    alreadyRejected: 'Facebook no longer accepted the credentials, so there was nothing left to revoke.',
    failed: 'Could not revoke access at Facebook (Facebook answered HTTP 503); remove Tether in your Facebook settings to be sure.',
    notConfigured: 'Facebook is not configured here, so access could not be revoked there; remove Tether in your Facebook settings.',
    noCredentials: 'No stored credentials were left to revoke (already removed).',
  };

  it.each(Object.entries(words))('%s', (code, expected) => {
    const revoke = (code === 'failed' ? { code, detail: 'Facebook answered HTTP 503' } : { code }) as RevokeResult;
    expect(phraseRevokeOutcome(revoke, 'facebook')).toBe(expected);
  });
});

describe('calls that answer once', () => {
  it('a rate limit says when to try again, not that Tether retries', () => {
    expect(phraseCallFailure({ code: 'rate_limited', at: AT }, berlin)).toBe('X is rate-limiting until 29 Mar 2026, 01:30 Europe/Berlin; try again then');
    expect(phraseCallFailure({ code: 'rate_limited', at: AT }, { ...berlin, now: AT - 60_000 })).toBe('X is rate-limiting until 01:30 Europe/Berlin; try again then');
    expect(phraseCallFailure({ code: 'rate_limited' }, berlin)).toBe('X is rate-limiting; try again later');
  });

  it('other failures read like any reason', () => {
    expect(phraseCallFailure({ code: 'post_gone' }, berlin)).toBe('The post was deleted before it went out');
    expect(phraseCallFailure({ code: 'access_token_rejected', detail: 'X refused the access token (HTTP 401)' }, berlin)).toBe('X refused the access token (HTTP 401)');
  });
});
