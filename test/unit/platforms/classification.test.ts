import { describe, expect, it } from 'vitest';
import { shouldRefreshThenRetry } from '../../../platforms/codes.js';
import { PLATFORM_IDS, type Outcome, type PlatformAdapter, type PlatformId } from '../../../platforms/types.js';
import { accountFor, adaptersWith, blueskyLocated, credentials, NOW, post, type Scripted } from './fake-fetch.js';

const epoch = (iso: string) => String(Math.floor(Date.parse(iso) / 1000));

function expectKind<T>(outcome: Outcome<T>, kind: Outcome<T>['kind']) {
  expect(outcome.kind, JSON.stringify(outcome)).toBe(kind);
}

function reauthCode(outcome: Outcome<unknown>): string | undefined {
  return outcome.kind === 'reauthRequired' ? outcome.code : undefined;
}

describe('X', () => {
  it('treats "Value passed for the token was invalid." on refresh as a dead refresh token', async () => {
    const { get } = adaptersWith([{ status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' } }]);
    const outcome = await get('x').refresh(accountFor('x'), credentials);
    expect(reauthCode(outcome)).toBe('refresh_token_invalid');
    expect(shouldRefreshThenRetry(outcome)).toBe(false);
  });

  it('treats an invalid authorization code as a failed sign-in', async () => {
    const { get } = adaptersWith([{ status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' } }]);
    const outcome = await get('x').exchangeCode({ code: 'c', redirectUri: 'https://t.example/cb', codeVerifier: 'v' });
    expect(reauthCode(outcome)).toBe('authorization_code_invalid');
  });

  it('treats a missing Basic header (unauthorized_client) as a configuration problem, not a reconnect', async () => {
    const { get } = adaptersWith([{ status: 401, body: { error: 'unauthorized_client', error_description: 'Missing valid authorization header' } }]);
    const outcome = await get('x').refresh(accountFor('x'), credentials);
    expectKind(outcome, 'invalid');
  });

  it('sends HTTP Basic client credentials and a form body on the token call', async () => {
    const { get, sent } = adaptersWith([{ status: 200, body: { access_token: 'a2', refresh_token: 'r2', expires_in: 7200, scope: 'tweet.read offline.access' } }]);
    const outcome = await get('x').refresh(accountFor('x'), credentials);
    expect(outcome).toEqual({
      kind: 'ok',
      value: { accessToken: 'a2', refreshToken: 'r2', accessTokenLifetimeSec: 7200, refreshTokenLifetimeSec: undefined, scopes: ['tweet.read', 'offline.access'] },
    });
    const request = sent[0]!;
    expect(request.headers.get('authorization')).toBe(`Basic ${Buffer.from('x-client:x-secret').toString('base64')}`);
    expect(request.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(request.body).get('grant_type')).toBe('refresh_token');
    expect(new URLSearchParams(request.body).get('refresh_token')).toBe('refresh-token-value');
  });

  it('a 401 while publishing means "refresh then retry", never reconnect by itself', async () => {
    const { get } = adaptersWith([{ status: 401, body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' } }]);
    const outcome = await get('x').publish(accountFor('x'), credentials, { ...post, media: undefined });
    expect(reauthCode(outcome)).toBe('access_token_rejected');
    expect(shouldRefreshThenRetry(outcome)).toBe(true);
  });

  it('waits out a 429 until x-rate-limit-reset', async () => {
    const reset = '2026-11-21T20:05:00.000Z';
    const { get } = adaptersWith([{ status: 429, body: { title: 'Too Many Requests', type: 'https://api.twitter.com/2/problems/rate-limit-exceeded' }, headers: { 'x-rate-limit-reset': epoch(reset) } }]);
    const outcome = await get('x').publish(accountFor('x'), credentials, { ...post, media: undefined });
    expect(outcome).toEqual({ kind: 'rateLimited', resetAt: reset, message: 'X is rate-limiting until 20:05 UTC' });
  });

  it('recognises the legacy code 88 rate-limit body', async () => {
    const { get } = adaptersWith([{ status: 429, body: { errors: [{ code: 88, message: 'Rate limit exceeded' }] }, headers: { 'retry-after': '120' } }]);
    const outcome = await get('x').publish(accountFor('x'), credentials, { ...post, media: undefined });
    expect(outcome).toMatchObject({ kind: 'rateLimited', resetAt: '2026-11-21T20:02:00.000Z' });
  });

  it('rejects duplicate content as invalid and client-forbidden as an app problem', async () => {
    const { get } = adaptersWith([
      { status: 403, body: { detail: 'You are not allowed to create a Tweet with duplicate content.', type: 'about:blank', title: 'Forbidden', status: 403 } },
      { status: 403, body: { title: 'Client Forbidden', type: 'https://api.twitter.com/2/problems/client-forbidden', reason: 'client-not-enrolled', detail: 'This request must be made using an approved developer account that is enrolled in the requested endpoint.' } },
    ]);
    const x = get('x');
    const duplicate = await x.publish(accountFor('x'), credentials, { ...post, media: undefined });
    expect(duplicate).toMatchObject({ kind: 'invalid', message: expect.stringContaining('duplicate') });
    const forbidden = await x.publish(accountFor('x'), credentials, { ...post, media: undefined });
    expectKind(forbidden, 'invalid');
  });

  it('reads the subscription type for premium status', async () => {
    const { get, sent } = adaptersWith([{ status: 200, body: { data: { id: '1', name: 'A', username: 'a', verified: true, verified_type: 'blue', subscription_type: 'Premium' } } }]);
    const outcome = await get('x').premiumStatus!(accountFor('x'), credentials);
    expect(outcome).toEqual({ kind: 'ok', value: { subscriptionType: 'Premium', verifiedType: 'blue' } });
    expect(sent[0]!.url.searchParams.get('user.fields')).toBe('subscription_type,verified,verified_type');
    expect(sent[0]!.headers.get('authorization')).toBe('Bearer access-token-value');
  });

  it('sends the Idempotency-Key header when publishing', async () => {
    const { get, sent } = adaptersWith([{ status: 201, body: { data: { id: '1850', text: 'Hello' } } }]);
    const outcome = await get('x').publish(accountFor('x'), credentials, { ...post, media: undefined });
    expect(outcome).toEqual({ kind: 'ok', value: { externalId: '1850', url: 'https://x.com/someone/status/1850' } });
    expect(sent[0]!.headers.get('idempotency-key')).toBe('key-1');
  });
});

describe('Meta Graph errors (Facebook, Instagram, Threads)', () => {
  const subcodes: [number, string, RegExp][] = [
    [458, 'app_removed', /removed Tether/],
    [459, 'checkpoint_required', /log in/],
    [460, 'password_changed', /Facebook says the password was changed — reconnect to continue/],
    [463, 'token_expired', /expired/],
    [464, 'unconfirmed_user', /not confirmed/],
    [467, 'session_invalid', /logged out|ended/],
  ];
  for (const [subcode, code, message] of subcodes) {
    it(`maps OAuthException 190/${subcode} to ${code}`, async () => {
      const { get } = adaptersWith([{ status: 400, body: { error: { message: 'Error validating access token', type: 'OAuthException', code: 190, error_subcode: subcode, fbtrace_id: 'A' } } }]);
      const outcome = await get('facebook').publish(accountFor('facebook'), credentials, { ...post, media: undefined });
      expect(outcome).toMatchObject({ kind: 'reauthRequired', code, message: expect.stringMatching(message) });
    });
  }

  it('maps 190 without a subcode and 102 to a dead token', async () => {
    const { get } = adaptersWith([
      { status: 400, body: { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } } },
      { status: 400, body: { error: { message: 'Session key invalid or no longer valid', type: 'OAuthException', code: 102 } } },
    ]);
    const fb = get('facebook');
    expect(reauthCode(await fb.publish(accountFor('facebook'), credentials, { ...post, media: undefined }))).toBe('token_invalid');
    expect((await fb.publish(accountFor('facebook'), credentials, { ...post, media: undefined })).kind).toBe('reauthRequired');
  });

  it.each([1, 2])('treats code %i as transient', async (code) => {
    const { get } = adaptersWith([{ status: 400, body: { error: { message: 'An unknown error occurred', type: 'OAuthException', code, is_transient: true } } }]);
    expectKind(await get('facebook').publish(accountFor('facebook'), credentials, { ...post, media: undefined }), 'transient');
  });

  it.each([4, 17, 32, 613, 80001])('treats code %i as a rate limit', async (code) => {
    const { get } = adaptersWith([{ status: 400, body: { error: { message: 'Application request limit reached', type: 'OAuthException', code } } }]);
    expectKind(await get('instagram').validate(accountFor('instagram'), credentials), 'rateLimited');
  });

  it('uses estimated_time_to_regain_access from X-Business-Use-Case-Usage', async () => {
    const usage = { '1234': [{ type: 'pages', call_count: 100, total_cputime: 20, total_time: 30, estimated_time_to_regain_access: 7 }] };
    const { get } = adaptersWith([{ status: 400, body: { error: { message: 'Page request limit reached', code: 32 } }, headers: { 'x-business-use-case-usage': JSON.stringify(usage) } }]);
    const outcome = await get('facebook').publish(accountFor('facebook'), credentials, { ...post, media: undefined });
    expect(outcome).toEqual({ kind: 'rateLimited', resetAt: '2026-11-21T20:07:00.000Z', message: 'Facebook is rate-limiting until 20:07 UTC' });
  });

  it.each([10, 200, 299])('treats permission code %i as a missing permission', async (code) => {
    const { get } = adaptersWith([{ status: 403, body: { error: { message: '(#200) Requires pages_manage_posts permission', type: 'OAuthException', code } } }]);
    expect(reauthCode(await get('facebook').publish(accountFor('facebook'), credentials, { ...post, media: undefined }))).toBe('permission_missing');
  });

  it('waits after a 368 policy block and rejects a 506 duplicate', async () => {
    const { get } = adaptersWith([
      { status: 400, body: { error: { message: 'It looks like you were misusing this feature', code: 368 } } },
      { status: 400, body: { error: { message: 'Duplicate status message', code: 506 } } },
    ]);
    const fb = get('facebook');
    expect(await fb.publish(accountFor('facebook'), credentials, { ...post, media: undefined })).toMatchObject({ kind: 'rateLimited', resetAt: '2026-11-21T21:00:00.000Z' });
    expect(await fb.publish(accountFor('facebook'), credentials, { ...post, media: undefined })).toMatchObject({ kind: 'invalid', message: expect.stringContaining('duplicate') });
  });

  it('Threads uses the same classification', async () => {
    const { get } = adaptersWith([{ status: 400, body: { error: { message: 'Error validating access token: The user has not authorized application', type: 'OAuthException', code: 190, error_subcode: 458 } } }]);
    expect(reauthCode(await get('threads').refresh(accountFor('threads'), credentials))).toBe('app_removed');
  });

  it('validate reads data_access_expires_at from debug_token, and classifies an invalid Page token', async () => {
    const nowSec = Math.floor(NOW.getTime() / 1000);
    const { get, sent } = adaptersWith([
      { status: 200, body: { data: { app_id: '1', type: 'PAGE', is_valid: true, expires_at: 0, data_access_expires_at: nowSec + 86_400 * 80, scopes: ['pages_manage_posts'] } } },
      { status: 200, body: { data: { app_id: '1', type: 'PAGE', is_valid: false, error: { code: 190, subcode: 460, message: 'password changed' } } } },
    ]);
    const fb = get('facebook');
    expect(await fb.validate(accountFor('facebook'), credentials)).toEqual({ kind: 'ok', value: { dataAccessLifetimeSec: 86_400 * 80 } });
    expect(sent[0]!.url.searchParams.get('access_token')).toBe('facebook-client|facebook-secret');
    expect(sent[0]!.url.searchParams.get('input_token')).toBe('access-token-value');
    expect(reauthCode(await fb.validate(accountFor('facebook'), credentials))).toBe('password_changed');
  });

  it('revokes with DELETE /{user-id}/permissions', async () => {
    const { get, sent } = adaptersWith([{ status: 200, body: { success: true } }]);
    expect(await get('facebook').revoke(accountFor('facebook'), credentials)).toEqual({ kind: 'ok', value: { revokedAtPlatform: true } });
    expect(sent[0]!.method).toBe('DELETE');
    expect(sent[0]!.url.pathname).toBe('/v25.0/999/permissions');
  });
});

describe('LinkedIn', () => {
  it('maps REVOKED_ACCESS_TOKEN to token_revoked', async () => {
    const { get } = adaptersWith([{ status: 401, body: { status: 401, serviceErrorCode: 65601, code: 'REVOKED_ACCESS_TOKEN', message: 'The token used in the request has been revoked by the user' } }]);
    expect(reauthCode(await get('linkedin').publish(accountFor('linkedin'), { accessToken: 'a', issuedAt: credentials.issuedAt }, { ...post, media: undefined }))).toBe('token_revoked');
  });

  it('an invalid access token is final without a refresh token and "refresh then retry" with one', async () => {
    const body = { status: 401, serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN', message: 'Invalid access token' };
    const { get } = adaptersWith([{ status: 401, body }, { status: 401, body }]);
    const li = get('linkedin');
    expect(reauthCode(await li.publish(accountFor('linkedin'), { accessToken: 'a', issuedAt: credentials.issuedAt }, { ...post, media: undefined }))).toBe('token_invalid');
    expect(reauthCode(await li.publish(accountFor('linkedin'), credentials, { ...post, media: undefined }))).toBe('access_token_rejected');
  });

  it('waits a 429 out until midnight UTC', async () => {
    const { get } = adaptersWith([{ status: 429, body: { status: 429, message: 'Resource level throttle limit reached' } }]);
    expect(await get('linkedin').publish(accountFor('linkedin'), credentials, { ...post, media: undefined })).toMatchObject({
      kind: 'rateLimited',
      resetAt: '2026-11-22T00:00:00.000Z',
    });
  });

  it('maps invalid_grant on refresh to refresh_token_invalid and refuses to refresh without a refresh token', async () => {
    const { get, sent } = adaptersWith([{ status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } }]);
    const li = get('linkedin');
    expect(reauthCode(await li.refresh(accountFor('linkedin'), credentials))).toBe('refresh_token_invalid');
    expect(reauthCode(await li.refresh(accountFor('linkedin'), { accessToken: 'a', issuedAt: credentials.issuedAt }))).toBe('refresh_unavailable');
    expect(sent).toHaveLength(1);
  });

  it('takes the post id from x-restli-id', async () => {
    const { get, sent } = adaptersWith([{ status: 201, text: '', headers: { 'x-restli-id': 'urn:li:share:42' } }]);
    const account = { ...accountFor('linkedin'), meta: { authorUrn: 'urn:li:organization:7' } };
    expect(await get('linkedin').publish(account, credentials, { ...post, media: undefined })).toEqual({
      kind: 'ok',
      value: { externalId: 'urn:li:share:42', url: 'https://www.linkedin.com/feed/update/urn:li:share:42/' },
    });
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ author: 'urn:li:organization:7', lifecycleState: 'PUBLISHED' });
    expect(sent[0]!.headers.get('linkedin-version')).toMatch(/^\d{6}$/);
  });
});

describe('YouTube / Google', () => {
  it('maps invalid_grant to refresh_token_invalid', async () => {
    const { get } = adaptersWith([{ status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } }]);
    expect(reauthCode(await get('youtube').refresh(accountFor('youtube'), credentials))).toBe('refresh_token_invalid');
  });

  it('keeps the current refresh token when Google returns none', async () => {
    const { get } = adaptersWith([{ status: 200, body: { access_token: 'new', expires_in: 3599, scope: 'https://www.googleapis.com/auth/youtube.upload', token_type: 'Bearer' } }]);
    expect(await get('youtube').refresh(accountFor('youtube'), credentials)).toMatchObject({ kind: 'ok', value: { accessToken: 'new', refreshToken: 'refresh-token-value', accessTokenLifetimeSec: 3599 } });
  });

  const quotaBody = { error: { code: 403, message: 'The request cannot be completed because you have exceeded your quota.', errors: [{ message: 'quota', domain: 'youtube.quota', reason: 'quotaExceeded' }] } };
  it.each([
    ['2026-11-21T20:00:00.000Z', '2026-11-22T08:00:00.000Z'],
    ['2026-03-07T20:00:00.000Z', '2026-03-08T08:00:00.000Z'],
    ['2026-03-08T20:00:00.000Z', '2026-03-09T07:00:00.000Z'],
    ['2026-07-01T06:30:00.000Z', '2026-07-01T07:00:00.000Z'],
  ])('quotaExceeded at %s waits until midnight Pacific (%s)', async (now, reset) => {
    const { get } = adaptersWith([{ status: 403, body: quotaBody }], { now: new Date(now) });
    expect(await get('youtube').identity({ accessToken: credentials.accessToken })).toMatchObject({ kind: 'rateLimited', resetAt: reset });
  });

  it('checks a token with tokeninfo (no YouTube quota): Invalid Value means refresh, then the refresh decides', async () => {
    const { get, sent } = adaptersWith([
      { status: 200, body: { aud: 'client', expires_in: '3000', scope: 'https://www.googleapis.com/auth/youtube.upload' } },
      { status: 400, body: { error: 'invalid_token', error_description: 'Invalid Value' } },
    ]);
    expect(await get('youtube').validate(accountFor('youtube'), credentials)).toEqual({ kind: 'ok', value: {} });
    expect(await get('youtube').validate(accountFor('youtube'), credentials)).toMatchObject({ kind: 'reauthRequired', code: 'access_token_rejected' });
    expect(sent.map((request) => `${request.url.host}${request.url.pathname}`)).toEqual(['oauth2.googleapis.com/tokeninfo', 'oauth2.googleapis.com/tokeninfo']);
  });

  it('refuses a post without a video with a plain message and sends nothing', async () => {
    const { get, sent } = adaptersWith([]);
    expect(await get('youtube').publish(accountFor('youtube'), credentials, { ...post, choices: { privacyLevel: 'public' } })).toEqual({
      kind: 'invalid',
      message: 'YouTube needs a video for every post; add one; YouTube posts from Tether take no images; attach a video instead',
    });
    expect(sent).toHaveLength(0);
  });

  it('a 401 is "refresh then retry"', async () => {
    const { get } = adaptersWith([{ status: 401, body: { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } } }]);
    expect(reauthCode(await get('youtube').validate(accountFor('youtube'), credentials))).toBe('access_token_rejected');
  });
});

describe('Bluesky', () => {
  it('a 502 on session creation is transient (never "reconnect")', async () => {
    const { get } = adaptersWith([...blueskyLocated(), { status: 502, text: '<html><body>502 Bad Gateway</body></html>', headers: { 'content-type': 'text/html' } }]);
    const outcome = await get('bluesky').createSession!({ identifier: 'alice.bsky.social', appPassword: 'abcd-efgh-ijkl-mnop' });
    expectKind(outcome, 'transient');
  });

  it('a 502 on refresh is transient', async () => {
    const { get } = adaptersWith([{ status: 502, body: { error: 'UpstreamFailure', message: 'Upstream Failure' } }]);
    expectKind(await get('bluesky').refresh(accountFor('bluesky'), credentials), 'transient');
  });

  it('maps login errors', async () => {
    const { get } = adaptersWith([
      ...blueskyLocated(),
      { status: 401, body: { error: 'AuthenticationRequired', message: 'Invalid identifier or password' } },
      ...blueskyLocated(),
      { status: 401, body: { error: 'AuthFactorTokenRequired', message: 'A sign in code has been sent to your email address' } },
      ...blueskyLocated(),
      { status: 400, body: { error: 'AccountTakedown', message: 'Account has been taken down' } },
    ]);
    const bsky = get('bluesky');
    const login = { identifier: 'alice.bsky.social', appPassword: 'abcd-efgh-ijkl-mnop' };
    expect(reauthCode(await bsky.createSession!(login))).toBe('app_password_invalid');
    expect(reauthCode(await bsky.createSession!(login))).toBe('two_factor_required');
    expect(reauthCode(await bsky.createSession!(login))).toBe('account_suspended');
  });

  it('ExpiredToken or InvalidToken on refresh is final; the refresh JWT is the bearer', async () => {
    const { get, sent } = adaptersWith([
      { status: 400, body: { error: 'ExpiredToken', message: 'Token has been revoked' } },
      { status: 400, body: { error: 'InvalidToken', message: 'Token could not be verified' } },
    ]);
    const bsky = get('bluesky');
    expect(reauthCode(await bsky.refresh(accountFor('bluesky'), credentials))).toBe('refresh_token_invalid');
    expect(reauthCode(await bsky.refresh(accountFor('bluesky'), credentials))).toBe('refresh_token_invalid');
    expect(sent[0]!.headers.get('authorization')).toBe('Bearer refresh-token-value');
    expect(sent[0]!.url.toString()).toBe('https://pds.example.com/xrpc/com.atproto.server.refreshSession');
  });

  it('ExpiredToken on an access call asks for a refresh', async () => {
    const { get } = adaptersWith([{ status: 400, body: { error: 'ExpiredToken', message: 'Token has expired' } }]);
    const outcome = await get('bluesky').publish(accountFor('bluesky'), credentials, { ...post, media: undefined });
    expect(reauthCode(outcome)).toBe('access_token_expired');
    expect(shouldRefreshThenRetry(outcome)).toBe(true);
  });

  it('RateLimitExceeded waits until RateLimit-Reset', async () => {
    const reset = '2026-11-21T20:10:00.000Z';
    const { get } = adaptersWith([...blueskyLocated(), { status: 429, body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }, headers: { 'ratelimit-reset': epoch(reset), 'ratelimit-limit': '30' } }]);
    expect(await get('bluesky').createSession!({ identifier: 'alice.bsky.social', appPassword: 'x' })).toEqual({
      kind: 'rateLimited',
      resetAt: reset,
      message: 'Bluesky is rate-limiting until 20:10 UTC',
    });
  });

  it('creates a session: identity is the DID, the PDS URL is kept, lifetimes come from the JWTs', async () => {
    const jwt = (claims: object) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;
    const iat = Math.floor(NOW.getTime() / 1000);
    const { get, sent } = adaptersWith([
      ...blueskyLocated(),
      {
        status: 200,
        body: {
          accessJwt: jwt({ iat, exp: iat + 7200 }),
          refreshJwt: jwt({ iat, exp: iat + 90 * 86400 }),
          did: 'did:plc:abc',
          handle: 'alice.bsky.social',
          didDoc: { id: 'did:plc:abc', service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://morel.us-east.host.bsky.network' }] },
          active: true,
        },
      },
      { status: 200, body: { did: 'did:plc:abc', handle: 'alice.bsky.social', displayName: 'Alice', avatar: 'https://cdn.example/a.jpg' } },
    ]);
    const outcome = await get('bluesky').createSession!({ identifier: '@alice.bsky.social', appPassword: 'abcd-efgh-ijkl-mnop' });
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: {
        tokens: { accessTokenLifetimeSec: 7200, refreshTokenLifetimeSec: 90 * 86400 },
        identity: { externalId: 'did:plc:abc', handle: 'alice.bsky.social', displayName: 'Alice', meta: { pdsUrl: 'https://morel.us-east.host.bsky.network' } },
      },
    });
    expect(sent.map((r) => r.url.toString())).toEqual([
      'https://alice.bsky.social/.well-known/atproto-did',
      'https://plc.directory/did:plc:abc',
      'https://morel.us-east.host.bsky.network/xrpc/com.atproto.server.createSession',
      'https://morel.us-east.host.bsky.network/xrpc/app.bsky.actor.getProfile?actor=did%3Aplc%3Aabc',
    ]);
    expect(JSON.parse(sent[2]!.body)).toEqual({ identifier: 'alice.bsky.social', password: 'abcd-efgh-ijkl-mnop' });
  });
});

describe('TikTok', () => {
  it('reads invalid_grant from a 200 token response', async () => {
    const { get } = adaptersWith([{ status: 200, body: { error: 'invalid_grant', error_description: 'Refresh token is invalid or expired.', log_id: 'L' } }]);
    expect(reauthCode(await get('tiktok').refresh(accountFor('tiktok'), credentials))).toBe('refresh_token_invalid');
  });

  it('reads refresh_expires_in and sends client_key', async () => {
    const { get, sent } = adaptersWith([{ status: 200, body: { access_token: 'act.2', expires_in: 7200, open_id: 'o', refresh_expires_in: 15552000, refresh_token: 'rft.2', scope: 'user.info.basic,video.publish', token_type: 'Bearer' } }]);
    expect(await get('tiktok').refresh(accountFor('tiktok'), credentials)).toMatchObject({ kind: 'ok', value: { refreshToken: 'rft.2', accessTokenLifetimeSec: 7200, refreshTokenLifetimeSec: 15552000 } });
    expect(new URLSearchParams(sent[0]!.body).get('client_key')).toBe('tiktok-client');
  });

  const apiError = (code: string, status: number): Scripted => ({ status, body: { data: {}, error: { code, message: code, log_id: 'L' } } });
  it.each([
    ['access_token_invalid', 401, 'reauthRequired', 'access_token_rejected'],
    ['scope_not_authorized', 401, 'reauthRequired', 'permission_missing'],
    ['internal_error', 500, 'transient', undefined],
    ['rate_limit_exceeded', 429, 'rateLimited', undefined],
  ])('maps %s', async (code, status, kind, reauth) => {
    const { get } = adaptersWith([apiError(code, status)]);
    const outcome = await get('tiktok').validate(accountFor('tiktok'), credentials);
    expect(outcome.kind).toBe(kind);
    expect(reauthCode(outcome)).toBe(reauth);
    if (code === 'rate_limit_exceeded') expect(outcome).toMatchObject({ resetAt: '2026-11-21T20:01:00.000Z' });
  });
});

describe('Pinterest', () => {
  it('maps code 2 and code 29', async () => {
    const { get } = adaptersWith([
      { status: 401, body: { code: 2, message: 'Authentication failed.' } },
      { status: 403, body: { code: 29, message: 'You are not permitted to access that resource.' } },
    ]);
    const pin = get('pinterest');
    expect(reauthCode(await pin.publish(accountFor('pinterest'), credentials, post))).toBe('access_token_rejected');
    expect(reauthCode(await pin.publish(accountFor('pinterest'), credentials, post))).toBe('permission_missing');
  });

  it('code 29 on Pin creation is the Trial access tier (named, not a reconnect) when the message says so or every Pin scope was granted', async () => {
    const trialBody = { code: 29, message: 'Apps with Trial access may not create Pins in production https://api.pinterest.com - use API Sandbox https://api-sandbox.pinterest.com instead.' };
    const generic = { code: 29, message: 'You are not permitted to access that resource.' };
    const { get } = adaptersWith([
      { status: 403, body: trialBody },
      { status: 403, body: generic },
      { status: 403, body: generic },
    ]);
    const pin = get('pinterest');
    const withScopes = (scopes: string[]) => ({ ...credentials, scopes });
    expect(await pin.publish(accountFor('pinterest'), credentials, post)).toMatchObject({ kind: 'invalid', message: expect.stringContaining('Standard access') });
    expect(await pin.publish(accountFor('pinterest'), withScopes(['boards:read', 'boards:write', 'pins:read', 'pins:write']), post)).toMatchObject({ kind: 'invalid', message: expect.stringContaining('Trial access') });
    expect(reauthCode(await pin.publish(accountFor('pinterest'), withScopes(['boards:read', 'pins:read']), post))).toBe('permission_missing');
  });

  it('uses HTTP Basic on the token endpoint and keeps the rotated refresh token', async () => {
    const { get, sent } = adaptersWith([{ status: 200, body: { access_token: 'pina_2', refresh_token: 'pinr_2', response_type: 'refresh_token', token_type: 'bearer', expires_in: 2592000, refresh_token_expires_in: 5184000, refresh_token_expires_at: 1900000000, scope: 'boards:read,pins:write' } }]);
    expect(await get('pinterest').refresh(accountFor('pinterest'), credentials)).toMatchObject({
      kind: 'ok',
      value: { accessToken: 'pina_2', refreshToken: 'pinr_2', accessTokenLifetimeSec: 2592000, refreshTokenLifetimeSec: 5184000, scopes: ['boards:read', 'pins:write'] },
    });
    expect(sent[0]!.headers.get('authorization')).toBe(`Basic ${Buffer.from('pinterest-client:pinterest-secret').toString('base64')}`);
  });

  it('has no user-token revoke', async () => {
    const { get, sent } = adaptersWith([]);
    expect(await get('pinterest').revoke(accountFor('pinterest'), credentials)).toEqual({ kind: 'ok', value: { revokedAtPlatform: false } });
    expect(sent).toHaveLength(0);
  });
});

describe('every adapter', () => {
  const oauthIds = PLATFORM_IDS.filter((id) => id !== 'bluesky');
  const operations = {
    refresh: (id: PlatformId, get: (id: PlatformId) => PlatformAdapter) => get(id).refresh(accountFor(id), credentials),
    validate: (id: PlatformId, get: (id: PlatformId) => PlatformAdapter) => get(id).validate(accountFor(id), credentials),
    publish: (id: PlatformId, get: (id: PlatformId) => PlatformAdapter) =>
      get(id).publish(accountFor(id), credentials, id === 'x' || id === 'linkedin' || id === 'bluesky' ? { ...post, media: undefined } : post),
  };
  // Bodies that would mean "reconnect" with a 4xx status must not, with a 5xx or 429.
  const scaryBodies = [
    { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
    { error: { message: 'Error validating access token', type: 'OAuthException', code: 190, error_subcode: 460 } },
    { error: 'ExpiredToken', message: 'Token has been revoked' },
    { data: {}, error: { code: 'access_token_invalid', message: 'x', log_id: 'l' } },
  ];

  for (const status of [500, 502, 503, 504, 429]) {
    for (const [name, run] of Object.entries(operations)) {
      it(`never asks to reconnect on HTTP ${status} (${name})`, async () => {
        for (const id of PLATFORM_IDS) {
          for (const body of scaryBodies) {
            const { get } = adaptersWith([], { fallback: { status, body } });
            const outcome = await run(id, get);
            if (id === 'youtube' && name === 'publish') continue;
            expect(outcome.kind, `${id} ${JSON.stringify(body)} -> ${JSON.stringify(outcome)}`).toBe(status === 429 ? 'rateLimited' : 'transient');
          }
        }
      });
    }
  }

  it('turns timeouts and network failures into transient outcomes', async () => {
    for (const id of PLATFORM_IDS) {
      const hung = adaptersWith([], { fallback: { hang: true }, timeoutMs: 30 });
      const timedOut = await hung.get(id).refresh(accountFor(id), credentials);
      expect(timedOut.kind, id).toBe('transient');
      if (id !== 'facebook' && id !== 'instagram') expect(timedOut).toMatchObject({ message: expect.stringContaining('did not answer within') });
      const refused = adaptersWith([], { fallback: { error: Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }) } });
      const unreachable = await refused.get(id).validate(accountFor(id), credentials);
      expect(unreachable).toMatchObject({ kind: 'transient', message: expect.stringContaining('ECONNREFUSED') });
    }
  });

  it('turns truncated or malformed 2xx bodies into invalid, never a throw', async () => {
    for (const id of PLATFORM_IDS) {
      for (const fallback of [{ status: 200, text: '{"access_token":"abc', headers: { 'content-type': 'application/json' } }, { status: 200, body: { unexpected: true } }, { status: 200, text: '' }]) {
        const { get } = adaptersWith([], { fallback });
        const outcome = await get(id).refresh(accountFor(id), credentials);
        expect(outcome.kind, `${id} ${JSON.stringify(fallback)} -> ${JSON.stringify(outcome)}`).toBe('invalid');
      }
    }
  });

  it('exchangeCode with a malformed token response is invalid for every OAuth platform', async () => {
    for (const id of oauthIds) {
      const { get } = adaptersWith([], { fallback: { status: 200, text: 'access_token=abc&expires' } });
      const outcome = await get(id).exchangeCode({ code: 'c', redirectUri: 'https://t.example/cb', codeVerifier: 'v' });
      expect(outcome.kind, `${id} -> ${JSON.stringify(outcome)}`).toBe('invalid');
    }
  });
});
