import { createHmac } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { approveConsent } from '../../../sandbox/client.js';
import { codeOf, hosted, postForm, postJson, REDIRECT, startReceiver, useSandbox, withQuery } from './helpers.js';

const receiver = await startReceiver();
afterAll(() => receiver.close());
const h = useSandbox();
const ALICE = '-000ALICEopenid1AbCdEfGh';
const CLIENT = { client_key: 'sandbox-tiktok-client', client_secret: 'sandbox-tiktok-secret' };

async function connect(scope = 'user.info.basic,video.publish') {
  const authorize = withQuery(h.url('www.tiktok.com/v2/auth/authorize/'), {
    client_key: CLIENT.client_key,
    scope,
    response_type: 'code',
    redirect_uri: REDIRECT,
    state: 'tt',
  });
  const code = codeOf(await approveConsent(authorize, { identity: 'alice.tok' }));
  const response = await postForm(h.url('open.tiktokapis.com/v2/oauth/token/'), { ...CLIENT, code, grant_type: 'authorization_code', redirect_uri: REDIRECT });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, string | number>;
}

const refresh = (token: string) => postForm(h.url('open.tiktokapis.com/v2/oauth/token/'), { ...CLIENT, grant_type: 'refresh_token', refresh_token: token });

describe('TikTok sandbox', () => {
  it('issues 2 h access and 180 d refresh tokens with open_id', async () => {
    const tokens = await connect();
    expect(tokens).toMatchObject({ open_id: ALICE, expires_in: 7200, refresh_expires_in: 180 * 86400, token_type: 'Bearer', scope: 'user.info.basic,video.publish' });
    const info = await fetch(h.url('open.tiktokapis.com/v2/user/info/?fields=open_id,display_name,avatar_url'), { headers: { authorization: `Bearer ${tokens.access_token}` } });
    const body = (await info.json()) as { data: { user: Record<string, string> }; error: { code: string } };
    expect(body.error.code).toBe('ok');
    expect(body.data.user).toMatchObject({ open_id: ALICE, display_name: 'Alice Archer' });
  });

  it('refuses a user-info field the granted scopes do not cover (username needs user.info.profile)', async () => {
    const info = (token: string | number, fields: string) =>
      fetch(h.url(`open.tiktokapis.com/v2/user/info/?fields=${fields}`), { headers: { authorization: `Bearer ${token}` } });
    const basic = await connect();
    const refused = await info(basic.access_token!, 'open_id,display_name,username');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('scope_not_authorized');
    expect((await info(basic.access_token!, 'open_id,follower_count')).status).toBe(401);

    const profile = await connect('user.info.basic,user.info.profile,video.publish');
    const granted = await info(profile.access_token!, 'open_id,display_name,username');
    expect(((await granted.json()) as { data: { user: Record<string, string> } }).data.user).toEqual({ open_id: ALICE, display_name: 'Alice Archer', username: 'alice.tok' });
  });

  it('rotates refresh tokens and answers invalid_grant on reuse', async () => {
    const tokens = await connect();
    const first = await refresh(String(tokens.refresh_token));
    expect(first.status).toBe(200);
    const reuse = await refresh(String(tokens.refresh_token));
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await h.client.counters({ platform: 'tiktok', externalId: ALICE })).refreshTokenReuse).toBe(1);
  });

  it('publishes photos after creator_info and replays by idempotency key', async () => {
    await h.client.configure({ tiktokVerifiedDomains: [`${h.sandbox.url}/_sandbox/hosted/`] });
    const photo = await hosted(h, 'mandelbrot.jpg');
    const tokens = await connect();
    const auth = { authorization: `Bearer ${tokens.access_token}` };
    const creator = await postJson(h.url('open.tiktokapis.com/v2/post/publish/creator_info/query/'), {}, auth);
    const options = ((await creator.json()) as { data: { privacy_level_options: string[] } }).data.privacy_level_options;
    expect(options).toContain('SELF_ONLY');
    const body = {
      post_info: { title: 'Sunset', description: 'Seen today', privacy_level: 'SELF_ONLY' },
      source_info: { source: 'PULL_FROM_URL', photo_cover_index: 0, photo_images: [photo] },
      post_mode: 'DIRECT_POST',
      media_type: 'PHOTO',
    };
    const first = await postJson(h.url('open.tiktokapis.com/v2/post/publish/content/init/'), body, { ...auth, 'idempotency-key': 't1' });
    const second = await postJson(h.url('open.tiktokapis.com/v2/post/publish/content/init/'), body, { ...auth, 'idempotency-key': 't1' });
    const a = (await first.json()) as { data: { publish_id: string } };
    const b = (await second.json()) as { data: { publish_id: string } };
    expect(a.data.publish_id).toBe(b.data.publish_id);
    const status = await postJson(h.url('open.tiktokapis.com/v2/post/publish/status/fetch/'), { publish_id: a.data.publish_id }, auth);
    expect(((await status.json()) as { data: { status: string } }).data.status).toBe('PUBLISH_COMPLETE');
    expect(await h.client.counters({ platform: 'tiktok', externalId: ALICE })).toMatchObject({ publishAttempts: 2, publishReplays: 1, publishDuplicates: 0 });

    const bad = await postJson(h.url('open.tiktokapis.com/v2/post/publish/content/init/'), { ...body, source_info: { source: 'PULL_FROM_URL' } }, auth);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_params');
  });

  it('keeps unaudited apps to SELF_ONLY posts on private accounts, offers what the account allows, and pulls only from verified domains', async () => {
    await h.client.configure({ tiktokVerifiedDomains: [`${h.sandbox.url}/_sandbox/hosted/`] });
    const photo = await hosted(h, 'mandelbrot.jpg');
    const init = (token: string | number, privacy: string, image = photo) =>
      postJson(
        h.url('open.tiktokapis.com/v2/post/publish/content/init/'),
        { post_info: { description: 'd', privacy_level: privacy, auto_add_music: false }, source_info: { source: 'PULL_FROM_URL', photo_cover_index: 0, photo_images: [image] }, post_mode: 'DIRECT_POST', media_type: 'PHOTO' },
        { authorization: `Bearer ${token}` },
      );
    const codeOfError = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;
    const creator = async (token: string | number) =>
      ((await (await postJson(h.url('open.tiktokapis.com/v2/post/publish/creator_info/query/'), {}, { authorization: `Bearer ${token}` })).json()) as { data: { privacy_level_options: string[] } }).data.privacy_level_options;

    const alice = (await connect()).access_token!; // private account
    expect(await creator(alice)).toEqual(['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY']);
    const followers = await init(alice, 'FOLLOWER_OF_CREATOR');
    expect(followers.status).toBe(403);
    expect(await codeOfError(followers)).toBe('unaudited_client_can_only_post_to_private_accounts');
    expect((await init(alice, 'SELF_ONLY')).status).toBe(200);
    const unverified = await init(alice, 'SELF_ONLY', 'https://elsewhere.example.org/1.jpg');
    expect(unverified.status).toBe(403);
    expect(await codeOfError(unverified)).toBe('url_ownership_unverified');

    const bobCode = codeOf(await approveConsent(withQuery(h.url('www.tiktok.com/v2/auth/authorize/'), { client_key: CLIENT.client_key, scope: 'user.info.basic,video.publish', response_type: 'code', redirect_uri: REDIRECT, state: 'b' }), { identity: 'bob.tok' }));
    const bob = ((await (await postForm(h.url('open.tiktokapis.com/v2/oauth/token/'), { ...CLIENT, code: bobCode, grant_type: 'authorization_code', redirect_uri: REDIRECT })).json()) as { access_token: string }).access_token;
    expect(await creator(bob)).toEqual(['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY']);
    expect(await codeOfError(await init(bob, 'SELF_ONLY'))).toBe('unaudited_client_can_only_post_to_private_accounts');
    await h.client.configure({ tiktokAudited: true });
    expect((await init(bob, 'PUBLIC_TO_EVERYONE')).status).toBe(200);
    expect(await codeOfError(await init(bob, 'FOLLOWER_OF_CREATOR'))).toBe('invalid_params');
    const posts = await h.client.posts({ platform: 'tiktok' });
    expect(posts.map((p) => p.options?.privacy_level)).toEqual(['SELF_ONLY', 'PUBLIC_TO_EVERYONE']);
  });

  it('sends a signed authorization.removed webhook and then rejects the tokens', async () => {
    await h.client.configure({ deauthorizeUrls: { tiktok: receiver.url } });
    const tokens = await connect();
    const result = await h.client.removeApp('tiktok', ALICE, 1);
    expect(result.callback?.status).toBe(200);
    const last = receiver.received.at(-1)!;
    const header = String(last.headers['tiktok-signature']);
    const match = /^t=(\d+),s=([0-9a-f]{64})$/.exec(header);
    expect(match).not.toBeNull();
    const expected = createHmac('sha256', 'sandbox-tiktok-secret').update(`${match![1]}.${last.body}`).digest('hex');
    expect(match![2]).toBe(expected);
    const event = JSON.parse(last.body) as Record<string, unknown>;
    expect(event).toMatchObject({ client_key: 'sandbox-tiktok-client', event: 'authorization.removed', user_openid: ALICE });
    expect(JSON.parse(String(event.content))).toEqual({ reason: 1 });

    const info = await fetch(h.url('open.tiktokapis.com/v2/user/info/?fields=open_id'), { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(info.status).toBe(401);
    expect(((await info.json()) as { error: { code: string } }).error.code).toBe('access_token_invalid');
    expect((await refresh(String(tokens.refresh_token))).status).toBe(400);
  });

  it('returns internal_error for failed calls and rate_limit_exceeded when throttled', async () => {
    const tokens = await connect();
    await h.client.failNext('tiktok', ALICE, 1);
    const failed = await refresh(String(tokens.refresh_token));
    expect(failed.status).toBe(500);
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe('internal_error');
    expect((await refresh(String(tokens.refresh_token))).status).toBe(200);
    await h.client.rateLimit('tiktok', ALICE, 30);
    const limited = await fetch(h.url('open.tiktokapis.com/v2/user/info/'), { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
  });
});
