import { describe, expect, it } from 'vitest';
import { approveConsent } from '../../../sandbox/client.js';
import { codeOf, fixture, pkcePair, postForm, postJson, REDIRECT, useSandbox, withQuery } from './helpers.js';

const h = useSandbox();
const ALICE = '110000000000000000001';
const CLIENT = { client_id: 'sandbox-youtube-client', client_secret: 'sandbox-youtube-secret' };

async function connect(prompt = 'consent select_account') {
  const { verifier, challenge } = pkcePair();
  const authorize = withQuery(h.url('accounts.google.com/o/oauth2/v2/auth'), {
    client_id: CLIENT.client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly',
    access_type: 'offline',
    prompt,
    state: 'yt',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const code = codeOf(await approveConsent(authorize, { identity: ALICE }));
  const response = await postForm(h.url('oauth2.googleapis.com/token'), { ...CLIENT, code, grant_type: 'authorization_code', redirect_uri: REDIRECT, code_verifier: verifier });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, string | number>;
}

const refresh = (token: string) => postForm(h.url('oauth2.googleapis.com/token'), { ...CLIENT, grant_type: 'refresh_token', refresh_token: token });

describe('YouTube sandbox', () => {
  it('issues a refresh token on offline consent, only again with prompt=consent, and does not rotate it', async () => {
    const tokens = await connect();
    expect(tokens.expires_in).toBe(3599);
    expect(String(tokens.refresh_token)).toMatch(/^1\/\//);
    const again = await connect('select_account');
    expect(again.refresh_token).toBeUndefined();

    for (let i = 0; i < 2; i += 1) {
      const response = await refresh(String(tokens.refresh_token));
      expect(response.status).toBe(200);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.refresh_token).toBeUndefined();
      expect(body.expires_in).toBe(3599);
    }
    expect((await h.client.counters({ platform: 'youtube', externalId: ALICE })).refreshTokenReuse).toBe(0);
  });

  it('lists the channel and refuses text-only videos.insert with mediaBodyRequired', async () => {
    const tokens = await connect();
    const auth = { authorization: `Bearer ${tokens.access_token}` };
    const channels = await fetch(h.url('www.googleapis.com/youtube/v3/channels?part=snippet&mine=true'), { headers: auth });
    const body = (await channels.json()) as { items: { id: string; snippet: { title: string } }[] };
    expect(body.items).toHaveLength(1);
    expect(body.items[0]!.id).toMatch(/^UC/);
    const insert = await postJson(h.url('www.googleapis.com/youtube/v3/videos?part=snippet'), { snippet: { title: 'Hello' } }, auth);
    expect(insert.status).toBe(400);
    expect(((await insert.json()) as { error: { errors: { reason: string }[] } }).error.errors[0]!.reason).toBe('mediaBodyRequired');
  });

  it('answers invalid_grant after a revoke, 403 quotaExceeded when limited and 503 on faults', async () => {
    const tokens = await connect();
    const auth = { authorization: `Bearer ${tokens.access_token}` };
    await h.client.failNext('youtube', ALICE, 1);
    expect((await fetch(h.url('www.googleapis.com/youtube/v3/channels?part=snippet&mine=true'), { headers: auth })).status).toBe(503);
    await h.client.rateLimit('youtube', ALICE, 60);
    const limited = await fetch(h.url('www.googleapis.com/youtube/v3/channels?part=snippet&mine=true'), { headers: auth });
    expect(limited.status).toBe(403);
    expect(((await limited.json()) as { error: { errors: { reason: string }[] } }).error.errors[0]!.reason).toBe('quotaExceeded');
    await h.client.clearFaults('youtube', ALICE);

    const revoke = await postForm(h.url(`oauth2.googleapis.com/revoke?token=${encodeURIComponent(String(tokens.refresh_token))}`), {});
    expect(revoke.status).toBe(200);
    const refreshed = await refresh(String(tokens.refresh_token));
    expect(refreshed.status).toBe(400);
    expect(await refreshed.json()).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    const channels = await fetch(h.url('www.googleapis.com/youtube/v3/channels?part=snippet&mine=true'), { headers: auth });
    expect(channels.status).toBe(401);
  });

  it('videos.insert resumable upload: 413 over the limit, 308 with the Range held until the last byte, then the video on its watch page', async () => {
    const tokens = await connect();
    const bearer = `Bearer ${tokens.access_token}`;
    const open = (size: number) =>
      fetch(h.url('www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status'), {
        method: 'POST',
        headers: { authorization: bearer, 'content-type': 'application/json', 'x-upload-content-length': String(size), 'x-upload-content-type': 'video/mp4' },
        body: JSON.stringify({ snippet: { title: 'Test pattern', description: 'Four seconds' }, status: { privacyStatus: 'unlisted' } }),
      });
    const tooLarge = await open(300 * 1024 * 1024 * 1024);
    expect(tooLarge.status).toBe(413);

    const video = fixture('sample-video.mp4');
    const session = (await open(video.length)).headers.get('location')!;
    expect(session).toContain('upload_id=');
    const put = (range: string, body?: Buffer) => fetch(session, { method: 'PUT', headers: { authorization: bearer, 'content-range': range }, ...(body ? { body } : {}) });
    const half = Math.floor(video.length / 2);
    const first = await put(`bytes 0-${half - 1}/${video.length}`, video.subarray(0, half));
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe(`bytes=0-${half - 1}`);
    // Asking where the session stands, as a retried upload does.
    expect((await put(`bytes */${video.length}`)).headers.get('range')).toBe(`bytes=0-${half - 1}`);
    const done = await put(`bytes ${half}-${video.length - 1}/${video.length}`, video.subarray(half));
    expect(done.status).toBe(200);
    const resource = (await done.json()) as { id: string; status: { uploadStatus: string; privacyStatus: string } };
    expect(resource.status).toEqual({ uploadStatus: 'uploaded', privacyStatus: 'unlisted' });
    const watch = await (await fetch(h.url(`www.youtube.com/watch?v=${resource.id}`))).text();
    expect(watch).toContain('data-testid="post-video"');

    const broken = (await open(200)).headers.get('location')!;
    const failed = await fetch(broken, { method: 'PUT', headers: { authorization: bearer, 'content-range': 'bytes 0-199/200' }, body: Buffer.alloc(200, 1) });
    expect(((await failed.json()) as { status: { uploadStatus: string; failureReason: string } }).status).toMatchObject({ uploadStatus: 'failed', failureReason: 'invalidFile' });
  });
});
