import { describe, expect, it } from 'vitest';
import { approveConsent, denyConsent } from '../../../sandbox/client.js';
import { basic, codeOf, fixture, pkcePair, postForm, postJson, REDIRECT, useSandbox, withQuery } from './helpers.js';

const h = useSandbox();
const BOB = '1500000000000000002';
const ALICE = '1500000000000000001';

async function connect(identity = 'sandbox_bob', scope = 'tweet.read tweet.write users.read offline.access') {
  const { verifier, challenge } = pkcePair();
  const authorize = withQuery(h.url('x.com/i/oauth2/authorize'), {
    response_type: 'code',
    client_id: 'sandbox-x-client',
    redirect_uri: REDIRECT,
    scope,
    state: 'state-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const redirect = await approveConsent(authorize, { identity });
  expect(new URL(redirect).searchParams.get('state')).toBe('state-123');
  const code = codeOf(redirect);
  const response = await postForm(
    h.url('api.x.com/2/oauth2/token'),
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
    { authorization: basic('x') },
  );
  expect(response.status).toBe(200);
  return { tokens: (await response.json()) as Record<string, string | number>, code, verifier };
}

const refresh = (refreshToken: string) =>
  postForm(h.url('api.x.com/2/oauth2/token'), { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: basic('x') });

const tweet = (token: string, text: string, key?: string) =>
  postJson(h.url('api.x.com/2/tweets'), { text }, { authorization: `Bearer ${token}`, ...(key ? { 'idempotency-key': key } : {}) });

describe('X sandbox', () => {
  it('issues tokens for an approved consent with PKCE and reports the subscription type', async () => {
    const { tokens } = await connect();
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 7200 });
    expect(typeof tokens.refresh_token).toBe('string');
    const me = await fetch(h.url('api.x.com/2/users/me?user.fields=subscription_type,verified,verified_type,profile_image_url'), {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    const body = (await me.json()) as { data: Record<string, unknown> };
    expect(body.data).toMatchObject({ id: BOB, username: 'sandbox_bob', subscription_type: 'Premium', verified: true, verified_type: 'blue' });

    await h.client.setSubscription(BOB, 'None');
    const after = await fetch(h.url('api.x.com/2/users/me?user.fields=subscription_type'), { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(((await after.json()) as { data: { subscription_type: string } }).data.subscription_type).toBe('None');
  });

  it('requires a PKCE challenge, a matching verifier, a single-use code and HTTP Basic', async () => {
    const missing = await fetch(
      withQuery(h.url('x.com/i/oauth2/authorize'), { response_type: 'code', client_id: 'sandbox-x-client', redirect_uri: REDIRECT, scope: 'users.read', state: 's' }),
      { redirect: 'manual' },
    );
    expect(missing.status).toBe(302);
    expect(new URL(missing.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');

    const { challenge } = pkcePair();
    const authorize = withQuery(h.url('x.com/i/oauth2/authorize'), {
      response_type: 'code', client_id: 'sandbox-x-client', redirect_uri: REDIRECT, scope: 'users.read', state: 's', code_challenge: challenge, code_challenge_method: 'S256',
    });
    const code = codeOf(await approveConsent(authorize));
    const noBasic = await postForm(h.url('api.x.com/2/oauth2/token'), { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: 'x'.repeat(43), client_id: 'sandbox-x-client' });
    expect(noBasic.status).toBe(401);
    expect(await noBasic.json()).toEqual({ error: 'unauthorized_client', error_description: 'Missing valid authorization header' });
    const wrongVerifier = await postForm(h.url('api.x.com/2/oauth2/token'), { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: 'x'.repeat(43) }, { authorization: basic('x') });
    expect(wrongVerifier.status).toBe(400);
    expect(await wrongVerifier.json()).toEqual({ error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' });
  });

  it('expires codes after 30 seconds and gives no refresh token without offline.access', async () => {
    const { tokens } = await connect('sandbox_alice', 'tweet.read users.read');
    expect(tokens.refresh_token).toBeUndefined();

    const { verifier, challenge } = pkcePair();
    const authorize = withQuery(h.url('x.com/i/oauth2/authorize'), {
      response_type: 'code', client_id: 'sandbox-x-client', redirect_uri: REDIRECT, scope: 'users.read', state: 's', code_challenge: challenge, code_challenge_method: 'S256',
    });
    const code = codeOf(await approveConsent(authorize));
    await h.client.advanceClock(31);
    const late = await postForm(h.url('api.x.com/2/oauth2/token'), { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, { authorization: basic('x') });
    expect(late.status).toBe(400);
  });

  it('redirects a denial with access_denied and the state', async () => {
    const { challenge } = pkcePair();
    const redirect = await denyConsent(
      withQuery(h.url('x.com/i/oauth2/authorize'), {
        response_type: 'code', client_id: 'sandbox-x-client', redirect_uri: REDIRECT, scope: 'users.read', state: 'st', code_challenge: challenge, code_challenge_method: 'S256',
      }),
    );
    const params = new URL(redirect).searchParams;
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe('st');
    expect(params.get('code')).toBeNull();
  });

  it('rotates refresh tokens strictly and counts reuse', async () => {
    const { tokens } = await connect();
    const first = await refresh(String(tokens.refresh_token));
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as Record<string, string>;
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);

    const reused = await refresh(String(tokens.refresh_token));
    expect(reused.status).toBe(400);
    expect(await reused.json()).toEqual({ error: 'invalid_request', error_description: 'Value passed for the token was invalid.' });
    expect((await refresh(rotated.refresh_token as string)).status).toBe(200);

    const counters = await h.client.counters({ platform: 'x', externalId: BOB });
    expect(counters.refreshes).toBe(2);
    expect(counters.refreshTokenReuse).toBe(1);
    expect((await h.client.counters()).refreshTokenReuse).toBe(1);
  });

  it('answers 401 problem+json after a revoke, for API calls and refreshes', async () => {
    const { tokens } = await connect();
    const result = await h.client.revoke('x', BOB);
    expect(result.affectedTokens).toBeGreaterThan(0);
    const me = await fetch(h.url('api.x.com/2/users/me'), { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(401);
    expect(me.headers.get('content-type')).toContain('application/problem+json');
    expect(await me.json()).toMatchObject({ title: 'Unauthorized', status: 401, type: 'about:blank' });
    const refreshed = await refresh(String(tokens.refresh_token));
    expect(refreshed.status).toBe(400);
    expect((await h.client.counters({ platform: 'x', externalId: BOB })).refreshTokenReuse).toBe(0);
  });

  it('fails the next N calls with 503 and then recovers', async () => {
    const { tokens } = await connect();
    await h.client.failNext('x', BOB, 2);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push((await fetch(h.url('api.x.com/2/users/me'), { headers: { authorization: `Bearer ${tokens.access_token}` } })).status);
    }
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('rate-limits with x-rate-limit-reset in epoch seconds', async () => {
    const { tokens } = await connect();
    await h.client.rateLimit('x', BOB, 120);
    const before = Math.floor(Date.now() / 1000);
    const response = await tweet(String(tokens.access_token), 'limited');
    expect(response.status).toBe(429);
    const reset = Number(response.headers.get('x-rate-limit-reset'));
    expect(reset).toBeGreaterThanOrEqual(before + 119);
    expect(reset).toBeLessThanOrEqual(before + 122);
    expect(response.headers.get('x-rate-limit-remaining')).toBe('0');
  });

  it('rejects duplicate content, replays an idempotency key and counts both', async () => {
    const { tokens } = await connect();
    const token = String(tokens.access_token);
    const first = await tweet(token, 'Hello from the sandbox', 'key-1');
    expect(first.status).toBe(201);
    const created = (await first.json()) as { data: { id: string } };

    const replay = await tweet(token, 'Hello from the sandbox', 'key-1');
    expect(replay.status).toBe(201);
    expect(((await replay.json()) as { data: { id: string } }).data.id).toBe(created.data.id);

    const duplicate = await tweet(token, 'Hello from the sandbox', 'key-2');
    expect(duplicate.status).toBe(403);
    expect(await duplicate.json()).toEqual({
      detail: 'You are not allowed to create a Tweet with duplicate content.',
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
    });
    const counters = await h.client.counters({ platform: 'x', externalId: BOB });
    expect(counters.publishAttempts).toBe(3);
    expect(counters.publishDuplicates).toBe(1);
    expect(counters.publishReplays).toBe(1);
    expect(counters.calls['POST api.x.com/2/tweets']).toBe(3);

    const posts = await h.client.posts({ platform: 'x' });
    expect(posts).toHaveLength(1);
    const page = await fetch(posts[0]!.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Hello from the sandbox');
  });

  it('limits non-Premium accounts to 280 weighted characters', async () => {
    const { tokens } = await connect('sandbox_alice');
    const long = await tweet(String(tokens.access_token), 'a'.repeat(281));
    expect(long.status).toBe(400);
    const premium = await connect('sandbox_bob');
    expect((await tweet(String(premium.tokens.access_token), 'b'.repeat(281))).status).toBe(201);
    expect((await h.client.counters({ platform: 'x', externalId: ALICE })).publishAttempts).toBe(0);
  });

  it('answers malformed JSON with the X invalid-request body', async () => {
    const { tokens } = await connect();
    const response = await fetch(h.url('api.x.com/2/tweets'), {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).not.toMatch(/at .*\.ts:\d+/);
    expect(JSON.parse(text)).toMatchObject({ title: 'Invalid Request' });
  });

  it('media upload on its real paths: too large at INITIALIZE, a wrong format at FINALIZE, a video processed before a post may use it', async () => {
    const { tokens } = await connect();
    const auth = { authorization: `Bearer ${tokens.access_token}` };
    const initialize = (mediaType: string, totalBytes: number) =>
      postJson(h.url('api.x.com/2/media/upload/initialize'), { media_type: mediaType, total_bytes: totalBytes, media_category: mediaType.startsWith('video/') ? 'tweet_video' : 'tweet_image' }, auth);
    const upload = async (mediaType: string, bytes: Buffer) => {
      const started = (await (await initialize(mediaType, bytes.length)).json()) as { data: { id: string } };
      const form = new FormData();
      form.set('segment_index', '0');
      form.set('media', new Blob([bytes]), 'chunk');
      expect((await fetch(h.url(`api.x.com/2/media/upload/${started.data.id}/append`), { method: 'POST', headers: auth, body: form })).status).toBe(204);
      return { id: started.data.id, finalized: await fetch(h.url(`api.x.com/2/media/upload/${started.data.id}/finalize`), { method: 'POST', headers: auth }) };
    };
    const status = async (id: string) =>
      ((await (await fetch(h.url(`api.x.com/2/media/upload?command=STATUS&media_id=${id}`), { headers: auth })).json()) as { data: { processing_info?: { state: string } } }).data.processing_info?.state;

    const tooLarge = await initialize('image/jpeg', 6 * 1024 * 1024);
    expect(tooLarge.status).toBe(400);
    expect(await tooLarge.text()).toContain('File size exceeds the maximum allowed');

    const wrong = await upload('image/jpeg', Buffer.from('not a picture at all'));
    expect(wrong.finalized.status).toBe(400);
    expect(await wrong.finalized.text()).toContain('media type unrecognized');

    const video = await upload('video/mp4', fixture('sample-video.mp4'));
    expect(((await video.finalized.json()) as { data: { processing_info: { state: string } } }).data.processing_info.state).toBe('pending');
    const early = await postJson(h.url('api.x.com/2/tweets'), { text: 'Too early', media: { media_ids: [video.id] } }, auth);
    expect(early.status).toBe(400);
    expect(await status(video.id)).toBe('in_progress');
    expect(await status(video.id)).toBe('succeeded');
    const posted = await postJson(h.url('api.x.com/2/tweets'), { text: 'A video', media: { media_ids: [video.id] } }, auth);
    expect(posted.status).toBe(201);

    await h.client.configure({ mediaProcessing: { x: 'fail' } });
    const failing = await upload('video/mp4', fixture('sample-video.mp4'));
    expect(failing.finalized.status).toBe(200);
    expect(await status(failing.id)).toBe('failed');
    await h.client.configure({ mediaProcessing: { x: 'stall' } });
    const stalling = await upload('video/mp4', fixture('sample-video.mp4'));
    expect([await status(stalling.id), await status(stalling.id), await status(stalling.id)]).toEqual(['in_progress', 'in_progress', 'in_progress']);
  });
});
