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

describe('Bluesky sandbox: PDS hosting and identity resolution', () => {
  const on = (host: string, method: string) => h.url(`${host}/xrpc/${method}`);

  it('a self-hosted PDS signs in only its own accounts; the entryway refuses them and their tokens', async () => {
    const created = await h.client.createBlueskyAccount({ handle: 'dana.example.org', pdsUrl: 'https://pds.example.net' });
    const credentials = { identifier: 'dana.example.org', password: created.appPassword };
    expect((await postJson(on('bsky.social', 'com.atproto.server.createSession'), credentials)).status).toBe(401);
    const signedIn = await postJson(on('pds.example.net', 'com.atproto.server.createSession'), credentials);
    expect(signedIn.status).toBe(200);
    const session = (await signedIn.json()) as Session;
    expect(session.didDoc.service[0]!.serviceEndpoint).toBe('https://pds.example.net');
    expect(jwtPayload(session.accessJwt).aud).toBe('did:web:pds.example.net');
    const auth = { headers: { authorization: `Bearer ${session.accessJwt}` } };
    expect((await fetch(on('pds.example.net', 'com.atproto.server.getSession'), auth)).status).toBe(200);
    const elsewhere = await fetch(on('bsky.social', 'com.atproto.server.getSession'), auth);
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.json()).toMatchObject({ error: 'InvalidToken' });
  });

  it('the entryway signs in accounts of Bluesky-run PDSes', async () => {
    const created = await h.client.createBlueskyAccount({ handle: 'erin.bsky.social', pdsUrl: 'https://morel.us-east.host.bsky.network' });
    const response = await postJson(on('bsky.social', 'com.atproto.server.createSession'), { identifier: 'erin.bsky.social', password: created.appPassword });
    expect(((await response.json()) as Session).didDoc.service[0]!.serviceEndpoint).toBe('https://morel.us-east.host.bsky.network');
  });

  it('resolves handle → DID (HTTPS well-known or resolveHandle) and DID → document (plc.directory, did:web)', async () => {
    const https = await h.client.createBlueskyAccount({ handle: 'finn.example.org', pdsUrl: 'https://pds.example.net' });
    const wellKnown = await fetch(h.url('finn.example.org/.well-known/atproto-did'));
    expect(await wellKnown.text()).toBe(https.id);
    const doc = await fetch(h.url(`plc.directory/${https.id}`));
    expect(await doc.json()).toMatchObject({ id: https.id, alsoKnownAs: ['at://finn.example.org'], service: [{ id: '#atproto_pds', serviceEndpoint: 'https://pds.example.net' }] });
    expect((await fetch(h.url('plc.directory/did:plc:nobodyhere'))).status).toBe(404);

    const dns = await h.client.createBlueskyAccount({ handle: 'gale.example.org', handleMethod: 'dns' });
    expect((await fetch(h.url('gale.example.org/.well-known/atproto-did'))).status).toBe(404);
    const resolved = await fetch(`${on('bsky.social', 'com.atproto.identity.resolveHandle')}?handle=gale.example.org`);
    expect(await resolved.json()).toEqual({ did: dns.id });

    const web = await h.client.createBlueskyAccount({ handle: 'hal.example.org', didMethod: 'web', pdsUrl: 'https://pds.example.net' });
    expect(web.id).toBe('did:web:hal.example.org');
    expect(await (await fetch(h.url('hal.example.org/.well-known/did.json'))).json()).toMatchObject({ id: 'did:web:hal.example.org', service: [{ serviceEndpoint: 'https://pds.example.net' }] });
  });

  it('checks rich-text facets: UTF-8 byte ranges inside the text, known features', async () => {
    const session = await login();
    const text = 'héllo 👋 https://example.com';
    const start = Buffer.byteLength('héllo 👋 ');
    const record = (facets: unknown) =>
      postJson(
        xrpc('com.atproto.repo.createRecord'),
        { repo: session.did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString(), facets } },
        { authorization: `Bearer ${session.accessJwt}` },
      );
    const link = (byteStart: number, byteEnd: number) => [{ index: { byteStart, byteEnd }, features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com' }] }];
    const outside = await record(link(start, Buffer.byteLength(text) + 1));
    expect(outside.status).toBe(400);
    expect(await outside.json()).toMatchObject({ error: 'InvalidRequest', message: expect.stringContaining('byte range') });
    expect((await record([{ index: { byteStart: 0, byteEnd: 2 }, features: [{ $type: 'app.bsky.richtext.facet#mention', did: 'alice' }] }])).status).toBe(400);
    expect((await record(link(start, Buffer.byteLength(text)))).status).toBe(200);
    const stored = (await h.client.posts({ platform: 'bluesky' })).at(-1);
    expect(stored?.options).toEqual({ facets: link(start, Buffer.byteLength(text)) });
  });
});
