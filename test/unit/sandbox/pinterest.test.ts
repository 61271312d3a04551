import { describe, expect, it } from 'vitest';
import { approveConsent } from '../../../sandbox/client.js';
import { basic, codeOf, hosted, postForm, postJson, REDIRECT, useSandbox, withQuery } from './helpers.js';

const h = useSandbox();
const ALICE = '540000000000000001';

async function connect() {
  const authorize = withQuery(h.url('www.pinterest.com/oauth/'), {
    client_id: 'sandbox-pinterest-client',
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'boards:read,boards:write,pins:read,pins:write,user_accounts:read',
    state: 'pin',
  });
  const code = codeOf(await approveConsent(authorize));
  const response = await postForm(h.url('api.pinterest.com/v5/oauth/token'), { grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, { authorization: basic('pinterest') });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, string | number>;
}

const refresh = (token: string) => postForm(h.url('api.pinterest.com/v5/oauth/token'), { grant_type: 'refresh_token', refresh_token: token }, { authorization: basic('pinterest') });

describe('Pinterest sandbox', () => {
  it('issues continuous refresh tokens with refresh_token_expires_at and rotates them', async () => {
    const tokens = await connect();
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 30 * 86400, refresh_token_expires_in: 60 * 86400, response_type: 'authorization_code' });
    expect(Number(tokens.refresh_token_expires_at)).toBeGreaterThan(Date.now() / 1000 + 59 * 86400);
    const refreshed = await refresh(String(tokens.refresh_token));
    expect(refreshed.status).toBe(200);
    const body = (await refreshed.json()) as Record<string, string>;
    expect(body.refresh_token).not.toBe(tokens.refresh_token);
    const reuse = await refresh(String(tokens.refresh_token));
    expect(reuse.status).toBe(401);
    expect(await reuse.json()).toEqual({ code: 2, message: 'Authentication failed.' });
    expect((await h.client.counters({ platform: 'pinterest', externalId: ALICE })).refreshTokenReuse).toBe(1);

    const noBasic = await postForm(h.url('api.pinterest.com/v5/oauth/token'), { grant_type: 'refresh_token', refresh_token: body.refresh_token! });
    expect(noBasic.status).toBe(401);
  });

  it('lists boards and creates pins that need a board and an image URL', async () => {
    const tokens = await connect();
    const auth = { authorization: `Bearer ${tokens.access_token}` };
    const boards = (await (await fetch(h.url('api.pinterest.com/v5/boards'), { headers: auth })).json()) as { items: { id: string }[] };
    expect(boards.items).toHaveLength(2);
    const image = await hosted(h, 'mandelbrot.jpg');
    const missingBoard = await postJson(h.url('api.pinterest.com/v5/pins'), { media_source: { source_type: 'image_url', url: image } }, auth);
    expect(missingBoard.status).toBe(400);
    const pin = await postJson(
      h.url('api.pinterest.com/v5/pins'),
      { board_id: boards.items[0]!.id, title: 'Cake', description: 'Chocolate', media_source: { source_type: 'image_url', url: image } },
      { ...auth, 'idempotency-key': 'p1' },
    );
    expect(pin.status).toBe(201);
    const created = (await pin.json()) as { id: string; board_id: string; title: string };
    expect(created).toMatchObject({ board_id: boards.items[0]!.id, title: 'Cake' });
    const replay = await postJson(
      h.url('api.pinterest.com/v5/pins'),
      { board_id: boards.items[0]!.id, title: 'Cake', description: 'Chocolate', media_source: { source_type: 'image_url', url: image } },
      { ...auth, 'idempotency-key': 'p1' },
    );
    expect(((await replay.json()) as { id: string }).id).toBe(created.id);
    expect(await h.client.counters({ platform: 'pinterest', externalId: ALICE })).toMatchObject({ publishAttempts: 2, publishReplays: 1, publishDuplicates: 0 });
    const user = await fetch(h.url('api.pinterest.com/v5/user_account'), { headers: auth });
    expect(await user.json()).toMatchObject({ id: ALICE, username: 'alicepins', pin_count: 1 });
  });

  it('refuses Pin creation to a Trial-access app with 403 code 29, while reads keep working', async () => {
    await h.client.configure({ pinterestAccess: 'trial' });
    const tokens = await connect();
    const auth = { authorization: `Bearer ${tokens.access_token}` };
    const boards = (await (await fetch(h.url('api.pinterest.com/v5/boards'), { headers: auth })).json()) as { items: { id: string }[] };
    const pin = await postJson(h.url('api.pinterest.com/v5/pins'), { board_id: boards.items[0]!.id, media_source: { source_type: 'image_url', url: await hosted(h, 'mandelbrot.jpg') } }, auth);
    expect(pin.status).toBe(403);
    expect(await pin.json()).toEqual({ code: 29, message: expect.stringContaining('Apps with Trial access may not create Pins in production') });
  });

  it('answers 401 code 2 after revoke and 429 with rate-limit headers', async () => {
    const tokens = await connect();
    const auth = { authorization: `Bearer ${tokens.access_token}` };
    await h.client.rateLimit('pinterest', ALICE, 30);
    const limited = await fetch(h.url('api.pinterest.com/v5/user_account'), { headers: auth });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(29);
    expect(limited.headers.get('retry-after')).not.toBeNull();
    await h.client.clearFaults('pinterest', ALICE);
    await h.client.revoke('pinterest', ALICE);
    const revoked = await fetch(h.url('api.pinterest.com/v5/user_account'), { headers: auth });
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toEqual({ code: 2, message: 'Authentication failed.' });
  });
});
