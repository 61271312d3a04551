import { createHmac } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { approveConsent, denyConsent } from '../../../sandbox/client.js';
import { codeOf, hosted, postForm, REDIRECT, startReceiver, useSandbox, withQuery } from './helpers.js';

const receiver = await startReceiver();
afterAll(() => receiver.close());
const h = useSandbox();

const ALICE = '100000000000001';
const SHOP = '2000000000000011';
const BLOG = '2000000000000012';
const IG = '17841400000000011';

const graph = (path: string) => h.url(`graph.facebook.com/v21.0/${path.replace(/^\//, '')}`);

async function login(platform: 'facebook' | 'instagram' = 'facebook', choose?: string[]) {
  const clientId = `sandbox-${platform}-client`;
  const authorize = withQuery(h.url('www.facebook.com/v21.0/dialog/oauth'), {
    client_id: clientId,
    redirect_uri: REDIRECT,
    state: 'fb-state',
    response_type: 'code',
    scope: 'pages_show_list,pages_read_engagement,pages_manage_posts,instagram_basic,instagram_content_publish',
  });
  const code = codeOf(await approveConsent(authorize, { identity: 'alice', choose }));
  const exchange = await fetch(
    withQuery(graph('oauth/access_token'), { client_id: clientId, client_secret: `sandbox-${platform}-secret`, redirect_uri: REDIRECT, code }),
  );
  expect(exchange.status).toBe(200);
  const short = (await exchange.json()) as { access_token: string; expires_in: number };
  const long = await fetch(
    withQuery(graph('oauth/access_token'), {
      grant_type: 'fb_exchange_token',
      client_id: clientId,
      client_secret: `sandbox-${platform}-secret`,
      fb_exchange_token: short.access_token,
    }),
  );
  expect(long.status).toBe(200);
  return { short, long: (await long.json()) as { access_token: string; expires_in: number; token_type: string } };
}

async function pageTokens(userToken: string) {
  const response = await fetch(withQuery(graph('me/accounts'), { fields: 'id,name,access_token,tasks', access_token: userToken }));
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { id: string; name: string; access_token: string; tasks: string[] }[] }).data;
}

const feed = (pageId: string, token: string, message: string, key?: string) =>
  postForm(graph(`${pageId}/feed`), { message, access_token: token }, key ? { 'idempotency-key': key } : {});

describe('Facebook sandbox', () => {
  it('exchanges a code for a short-lived token, then a long-lived one, then non-expiring Page tokens', async () => {
    const { short, long } = await login();
    expect(short.expires_in).toBe(7200);
    expect(long).toMatchObject({ token_type: 'bearer', expires_in: 5183944 });
    const pages = await pageTokens(long.access_token);
    expect(pages.map((p) => p.id)).toEqual([SHOP, BLOG]);
    expect(pages[0]!.tasks).toContain('CREATE_CONTENT');

    const debug = await fetch(withQuery(graph('debug_token'), { input_token: pages[0]!.access_token, access_token: 'sandbox-facebook-client|sandbox-facebook-secret' }));
    const data = ((await debug.json()) as { data: Record<string, unknown> }).data;
    expect(data).toMatchObject({ is_valid: true, type: 'PAGE', expires_at: 0, profile_id: SHOP, user_id: ALICE });
    expect(data.data_access_expires_at).toBeGreaterThan(Date.now() / 1000 + 89 * 86400);

    const page = await fetch(withQuery(graph(SHOP), { fields: 'instagram_business_account,name', access_token: long.access_token }));
    expect(await page.json()).toEqual({ id: SHOP, name: "Alice's Shop", instagram_business_account: { id: IG } });
  });

  it('grants only the chosen Pages', async () => {
    const { long } = await login('facebook', [BLOG]);
    expect((await pageTokens(long.access_token)).map((p) => p.id)).toEqual([BLOG]);
  });

  it('denies with Facebook denial parameters', async () => {
    const redirect = await denyConsent(
      withQuery(h.url('www.facebook.com/v21.0/dialog/oauth'), { client_id: 'sandbox-facebook-client', redirect_uri: REDIRECT, state: 'x', response_type: 'code' }),
    );
    const params = new URL(redirect).searchParams;
    expect(params.get('error_reason')).toBe('user_denied');
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe('x');
  });

  it('rejects a reused code with subcode 36009', async () => {
    const authorize = withQuery(h.url('www.facebook.com/v21.0/dialog/oauth'), { client_id: 'sandbox-facebook-client', redirect_uri: REDIRECT, state: 's', response_type: 'code' });
    const code = codeOf(await approveConsent(authorize));
    const url = withQuery(graph('oauth/access_token'), { client_id: 'sandbox-facebook-client', client_secret: 'sandbox-facebook-secret', redirect_uri: REDIRECT, code });
    expect((await fetch(url)).status).toBe(200);
    const again = await fetch(url);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: { code: number; error_subcode: number } }).error).toMatchObject({ code: 100, error_subcode: 36009 });
  });

  it('posts to a Page with its token, rejects duplicates with code 506 and replays idempotency keys', async () => {
    const { long } = await login();
    const [shop] = await pageTokens(long.access_token);
    const userTokenPost = await feed(SHOP, long.access_token, 'as user');
    expect(userTokenPost.status).toBe(403);

    const first = await feed(SHOP, shop!.access_token, 'Fresh bread today', 'k1');
    expect(first.status).toBe(200);
    const { id } = (await first.json()) as { id: string };
    expect(id.startsWith(`${SHOP}_`)).toBe(true);
    const replay = await feed(SHOP, shop!.access_token, 'Fresh bread today', 'k1');
    expect(await replay.json()).toEqual({ id });
    const duplicate = await feed(SHOP, shop!.access_token, 'Fresh bread today', 'k2');
    expect(duplicate.status).toBe(400);
    expect(((await duplicate.json()) as { error: Record<string, unknown> }).error).toMatchObject({ code: 506, type: 'OAuthException', message: 'Duplicate status message' });
    const counters = await h.client.counters({ platform: 'facebook', externalId: SHOP });
    expect(counters).toMatchObject({ publishAttempts: 3, publishReplays: 1, publishDuplicates: 1 });
  });

  it('reports revoke, password change and expiry with code 190 and the right subcode', async () => {
    const { long } = await login();
    const [shop] = await pageTokens(long.access_token);
    await h.client.changePassword('facebook', ALICE);
    const me = await fetch(withQuery(graph('me'), { access_token: shop!.access_token }));
    expect(me.status).toBe(400);
    expect(((await me.json()) as { error: Record<string, unknown> }).error).toMatchObject({ code: 190, error_subcode: 460, type: 'OAuthException' });

    const debug = await fetch(withQuery(graph('debug_token'), { input_token: shop!.access_token, access_token: 'sandbox-facebook-client|sandbox-facebook-secret' }));
    expect(((await debug.json()) as { data: Record<string, unknown> }).data).toMatchObject({ is_valid: false, error: { code: 190, subcode: 460 } });

    const second = await login();
    await h.client.expire('facebook', ALICE);
    const expired = await fetch(withQuery(graph('me'), { access_token: second.long.access_token }));
    expect(((await expired.json()) as { error: Record<string, unknown> }).error).toMatchObject({ code: 190, error_subcode: 463 });
    const exchange = await fetch(
      withQuery(graph('oauth/access_token'), { grant_type: 'fb_exchange_token', client_id: 'sandbox-facebook-client', client_secret: 'sandbox-facebook-secret', fb_exchange_token: second.long.access_token }),
    );
    expect(exchange.status).toBe(400);
  });

  it('sends a correctly signed deauthorization callback on app removal and answers 458 afterwards', async () => {
    await h.client.configure({ deauthorizeUrls: { facebook: receiver.url } });
    const { long } = await login();
    const result = await h.client.removeApp('facebook', SHOP);
    expect(result.callback?.status).toBe(200);
    const last = receiver.received.at(-1);
    expect(last?.headers['content-type']).toContain('application/x-www-form-urlencoded');
    const signed = new URLSearchParams(last?.body).get('signed_request') ?? '';
    const [signature, payload] = signed.split('.');
    const expected = createHmac('sha256', 'sandbox-facebook-secret').update(payload ?? '').digest('base64url');
    expect(signature).toBe(expected);
    const decoded = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(decoded).toMatchObject({ algorithm: 'HMAC-SHA256', user_id: ALICE });
    expect(typeof decoded.issued_at).toBe('number');

    const me = await fetch(withQuery(graph('me'), { access_token: long.access_token }));
    expect(((await me.json()) as { error: Record<string, unknown> }).error).toMatchObject({ code: 190, error_subcode: 458 });
  });

  it('fails with transient code 2 for N calls and throttles with code 32 and BUC usage', async () => {
    const { long } = await login();
    const [shop] = await pageTokens(long.access_token);
    await h.client.failNext('facebook', SHOP, 1);
    const failed = await fetch(withQuery(graph('me'), { access_token: shop!.access_token }));
    expect(failed.status).toBe(500);
    expect(((await failed.json()) as { error: Record<string, unknown> }).error).toMatchObject({ code: 2, is_transient: true });
    expect((await fetch(withQuery(graph('me'), { access_token: shop!.access_token }))).status).toBe(200);

    await h.client.rateLimit('facebook', SHOP, 600);
    const limited = await fetch(withQuery(graph('me'), { access_token: shop!.access_token }));
    expect(((await limited.json()) as { error: Record<string, unknown> }).error).toMatchObject({ code: 32 });
    const usage = JSON.parse(limited.headers.get('x-business-use-case-usage') ?? '{}') as Record<string, { estimated_time_to_regain_access: number }[]>;
    expect(usage[SHOP]?.[0]?.estimated_time_to_regain_access).toBe(10);
  });
});

describe('Instagram (via Facebook Login) sandbox', () => {
  it('finds the IG account through the Page and publishes through a container', async () => {
    const { long } = await login('instagram');
    const pages = await pageTokens(long.access_token);
    const page = await fetch(withQuery(graph(pages[0]!.id), { fields: 'instagram_business_account', access_token: long.access_token }));
    const igId = ((await page.json()) as { instagram_business_account: { id: string } }).instagram_business_account.id;
    expect(igId).toBe(IG);
    const profile = await fetch(withQuery(graph(igId), { fields: 'username,name,profile_picture_url', access_token: long.access_token }));
    expect(await profile.json()).toMatchObject({ id: IG, username: 'alice_shop' });

    const noImage = await postForm(graph(`${IG}/media`), { caption: 'hi', access_token: long.access_token });
    expect(noImage.status).toBe(400);
    expect(((await noImage.json()) as { error: { code: number } }).error.code).toBe(100);

    const container = await postForm(graph(`${IG}/media`), { image_url: await hosted(h, 'mandelbrot.jpg'), caption: 'A photo', access_token: long.access_token }, { 'idempotency-key': 'ig-1' });
    const { id: creationId } = (await container.json()) as { id: string };
    // The container is processed before it can be published: publishing early is refused with 9007.
    const early = await postForm(graph(`${IG}/media_publish`), { creation_id: creationId, access_token: long.access_token });
    expect(early.status).toBe(400);
    expect(((await early.json()) as { error: Record<string, unknown> }).error).toMatchObject({ code: 9007, error_subcode: 2207027 });
    const status = async () => (await (await fetch(withQuery(graph(creationId), { fields: 'status_code', access_token: long.access_token }))).json()) as { status_code: string };
    expect(await status()).toMatchObject({ status_code: 'IN_PROGRESS' });
    expect(await status()).toMatchObject({ status_code: 'FINISHED' });
    const published = await postForm(graph(`${IG}/media_publish`), { creation_id: creationId, access_token: long.access_token }, { 'idempotency-key': 'ig-1' });
    expect(published.status).toBe(200);
    expect(await status()).toMatchObject({ status_code: 'PUBLISHED' });
    const { id: mediaId } = (await published.json()) as { id: string };
    const again = await postForm(graph(`${IG}/media_publish`), { creation_id: creationId, access_token: long.access_token }, { 'idempotency-key': 'ig-1' });
    expect(await again.json()).toEqual({ id: mediaId });
    expect(await h.client.counters({ platform: 'instagram', externalId: IG })).toMatchObject({ publishAttempts: 2, publishReplays: 1, publishDuplicates: 0 });

    const permalink = await fetch(withQuery(graph(mediaId), { fields: 'permalink', access_token: long.access_token }));
    const url = ((await permalink.json()) as { permalink: string }).permalink;
    expect(await (await fetch(url)).text()).toContain('A photo');
  });

  it('publishes only with the user token: a Page token is refused', async () => {
    const { long } = await login('instagram');
    const pages = await pageTokens(long.access_token);
    const response = await postForm(graph(`${IG}/media`), { image_url: await hosted(h, 'mandelbrot.jpg'), access_token: pages[0]!.access_token });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number; message: string } }).error).toMatchObject({ code: 10, message: expect.stringContaining('User access token') });
  });

  it('reports a container that failed or expired, and refuses to publish it', async () => {
    const { long } = await login('instagram');
    for (const outcome of ['ERROR', 'EXPIRED'] as const) {
      await h.client.configure({ instagramContainerStatuses: [outcome] });
      const created = await postForm(graph(`${IG}/media`), { image_url: await hosted(h, 'mandelbrot.jpg'), access_token: long.access_token });
      const { id } = (await created.json()) as { id: string };
      const read = await fetch(withQuery(graph(id), { fields: 'status_code,status', access_token: long.access_token }));
      expect(await read.json()).toMatchObject({ id, status_code: outcome, status: expect.stringMatching(new RegExp(`^${outcome === 'ERROR' ? 'Error' : 'Expired'}:`)) });
      const publish = await postForm(graph(`${IG}/media_publish`), { creation_id: id, access_token: long.access_token });
      expect(publish.status).toBe(400);
    }
  });

  it('does not accept Facebook-app tokens on Instagram publishing', async () => {
    const { long } = await login('facebook');
    const response = await postForm(graph(`${IG}/media`), { image_url: await hosted(h, 'mandelbrot.jpg'), access_token: long.access_token });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(190);
  });
});

describe('Facebook Login for Business (Business-type apps)', () => {
  const dialog = (params: Record<string, string>) =>
    withQuery(h.url('www.facebook.com/v25.0/dialog/oauth'), { client_id: 'sandbox-facebook-client', redirect_uri: REDIRECT, response_type: 'code', state: 'fb', ...params });

  it('refuses a scope list and takes the permissions from the config_id', async () => {
    await h.client.configure({ metaLoginConfigs: { facebook: { configId: '1122334455', scopes: ['pages_show_list', 'pages_manage_posts'] } } });
    const refused = await fetch(dialog({ scope: 'pages_show_list,pages_manage_posts' }));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('config_id');
    expect((await fetch(dialog({ config_id: '999' }))).status).toBe(400);

    const code = codeOf(await approveConsent(dialog({ config_id: '1122334455' }), { identity: 'alice' }));
    const token = await fetch(withQuery(graph('oauth/access_token'), { client_id: 'sandbox-facebook-client', client_secret: 'sandbox-facebook-secret', redirect_uri: REDIRECT, code }));
    const { access_token } = (await token.json()) as { access_token: string };
    const debug = await fetch(withQuery(graph('debug_token'), { input_token: access_token, access_token: 'sandbox-facebook-client|sandbox-facebook-secret' }));
    expect(((await debug.json()) as { data: { scopes: string[] } }).data.scopes).toEqual(['pages_show_list', 'pages_manage_posts']);

    await h.client.configure({ metaLoginConfigs: { facebook: null } });
    expect((await fetch(dialog({ scope: 'pages_show_list' }))).status).toBe(200);
  });
});
