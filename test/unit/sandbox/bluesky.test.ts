import { describe, expect, it } from 'vitest';
import { postJson, useSandbox } from './helpers.js';

const h = useSandbox();
const ALICE = 'did:plc:sandboxalice7k2xq4ecbzr';
const xrpc = (method: string) => h.url(`bsky.social/xrpc/${method}`);

interface Session {
  accessJwt: string;
  refreshJwt: string;
  did: string;
  handle: string;
  didDoc: { service: { serviceEndpoint: string }[] };
}

async function login(identifier = 'alice.bsky.social', password = 'abcd-efgh-ijkl-mnop'): Promise<Session> {
  const response = await postJson(xrpc('com.atproto.server.createSession'), { identifier, password });
  expect(response.status).toBe(200);
  return (await response.json()) as Session;
}

const refresh = (refreshJwt: string) => fetch(xrpc('com.atproto.server.refreshSession'), { method: 'POST', headers: { authorization: `Bearer ${refreshJwt}` } });

const createPost = (session: Session, text: string, key?: string) =>
  postJson(
    xrpc('com.atproto.repo.createRecord'),
    { repo: session.did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() } },
    { authorization: `Bearer ${session.accessJwt}`, ...(key ? { 'idempotency-key': key } : {}) },
  );

function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('Bluesky sandbox', () => {
  it('creates a session from the default app password with JWTs of the PDS lifetimes', async () => {
    const session = await login();
    expect(session).toMatchObject({ did: ALICE, handle: 'alice.bsky.social' });
    expect(session.didDoc.service[0]!.serviceEndpoint).toBe('https://bsky.social');
    const access = jwtPayload(session.accessJwt);
    expect(Number(access.exp) - Number(access.iat)).toBe(7200);
    expect(jwtPayload(session.refreshJwt).scope).toBe('com.atproto.refresh');
    const wrong = await postJson(xrpc('com.atproto.server.createSession'), { identifier: 'alice.bsky.social', password: 'nope-nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'AuthenticationRequired', message: 'Invalid identifier or password' });

    const sessionInfo = await fetch(xrpc('com.atproto.server.getSession'), { headers: { authorization: `Bearer ${session.accessJwt}` } });
    expect(await sessionInfo.json()).toMatchObject({ did: ALICE, handle: 'alice.bsky.social' });
    const profile = await fetch(xrpc('app.bsky.actor.getProfile?actor=alice.bsky.social'), { headers: { authorization: `Bearer ${session.accessJwt}` } });
    expect(await profile.json()).toMatchObject({ did: ALICE, displayName: 'Alice Archer' });
  });

  it('rotates refresh JWTs strictly and answers ExpiredToken "Token has been revoked" on reuse', async () => {
    const session = await login();
    const first = await refresh(session.refreshJwt);
    expect(first.status).toBe(200);
    const reuse = await refresh(session.refreshJwt);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toEqual({ error: 'ExpiredToken', message: 'Token has been revoked' });
    expect((await h.client.counters({ platform: 'bluesky', externalId: ALICE })).refreshTokenReuse).toBe(1);
    const withAccess = await refresh(session.accessJwt);
    expect(await withAccess.json()).toEqual({ error: 'InvalidToken', message: 'Bad token scope' });
  });

  it('honours a configured grace period for rotated refresh tokens', async () => {
    await h.client.configure({ blueskyRefreshGraceSec: 7200 });
    const session = await login();
    expect((await refresh(session.refreshJwt)).status).toBe(200);
    expect((await refresh(session.refreshJwt)).status).toBe(200);
    await h.client.advanceClock(7201);
    expect((await refresh(session.refreshJwt)).status).toBe(400);
  });

  it('answers ExpiredToken for an expired access JWT', async () => {
    const session = await login();
    await h.client.expire('bluesky', ALICE);
    const response = await fetch(xrpc('com.atproto.server.getSession'), { headers: { authorization: `Bearer ${session.accessJwt}` } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'ExpiredToken', message: 'Token has expired' });
    expect((await refresh(session.refreshJwt)).status).toBe(200);
  });

  it('revokes refresh tokens on a password change while access JWTs keep working', async () => {
    const session = await login();
    await h.client.changePassword('bluesky', ALICE);
    expect((await fetch(xrpc('com.atproto.server.getSession'), { headers: { authorization: `Bearer ${session.accessJwt}` } })).status).toBe(200);
    const refreshed = await refresh(session.refreshJwt);
    expect(await refreshed.json()).toEqual({ error: 'ExpiredToken', message: 'Token has been revoked' });
  });

  it('creates posts, rejects more than 300 graphemes and replays idempotency keys', async () => {
    const session = await login();
    // 300 graphemes of two code points each: within the limit although 600 UTF-16 units long.
    const combined = 'e\u0301'.repeat(300);
    expect((await createPost(session, combined)).status).toBe(200);
    const tooLong = await createPost(session, 'a'.repeat(301));
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: string }).error).toBe('InvalidRequest');
    const first = (await (await createPost(session, 'hello bsky', 'b1')).json()) as { uri: string; cid: string };
    expect(first.uri).toMatch(new RegExp(`^at://${ALICE}/app.bsky.feed.post/[a-z2-7]{13}$`));
    const second = (await (await createPost(session, 'hello bsky', 'b1')).json()) as { uri: string; cid: string };
    expect(second).toMatchObject({ uri: first.uri, cid: first.cid });
    expect(await h.client.counters({ platform: 'bluesky', externalId: ALICE })).toMatchObject({ publishAttempts: 3, publishReplays: 1, publishDuplicates: 0 });
    const posts = await h.client.posts({ platform: 'bluesky', externalId: ALICE });
    expect(await (await fetch(posts.at(-1)!.url)).text()).toContain('hello bsky');
  });

  it('fails with 502 for N calls, throttles with RateLimit-Reset and accepts new accounts', async () => {
    const session = await login();
    await h.client.failNext('bluesky', ALICE, 2);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await fetch(xrpc('com.atproto.server.getSession'), { headers: { authorization: `Bearer ${session.accessJwt}` } })).status);
    expect(statuses).toEqual([502, 502, 200]);
    await h.client.rateLimit('bluesky', ALICE, 300);
    const limited = await refresh(session.refreshJwt);
    expect(limited.status).toBe(429);
    const reset = Number(limited.headers.get('ratelimit-reset'));
    expect(reset).toBeGreaterThan(Date.now() / 1000 + 290);
    expect(await limited.json()).toEqual({ error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' });

    const created = await h.client.createBlueskyAccount({ handle: 'dave.bsky.social' });
    const dave = await login('dave.bsky.social', created.appPassword);
    expect(dave.did).toBe(created.id);
  });
});
