import { describe, expect, it } from 'vitest';
import { approveConsent, SandboxError } from '../../../sandbox/client.js';
import { basic, codeOf, pkcePair, postForm, postJson, REDIRECT, useSandbox, withQuery } from './helpers.js';

const h = useSandbox();

async function xTokens(identity = 'sandbox_alice') {
  const { verifier, challenge } = pkcePair();
  const authorize = withQuery(h.url('x.com/i/oauth2/authorize'), {
    response_type: 'code', client_id: 'sandbox-x-client', redirect_uri: REDIRECT, scope: 'users.read offline.access', state: 's', code_challenge: challenge, code_challenge_method: 'S256',
  });
  const code = codeOf(await approveConsent(authorize, { identity }));
  return postForm(h.url('api.x.com/2/oauth2/token'), { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, { authorization: basic('x') });
}

describe('sandbox control API', () => {
  it('applies per-platform lifetimes over global ones and resets them', async () => {
    await h.client.configure({ lifetimes: { accessTokenSec: 120 }, platformLifetimes: { x: { accessTokenSec: 5 } } });
    expect(((await (await xTokens()).json()) as { expires_in: number }).expires_in).toBe(5);
    const tiktok = await h.client.settings();
    expect(tiktok.lifetimes.accessTokenSec).toBe(120);
    await h.client.reset();
    expect(((await (await xTokens()).json()) as { expires_in: number }).expires_in).toBe(7200);
  });

  it('expires access tokens with the sandbox clock', async () => {
    await h.client.configure({ platformLifetimes: { x: { accessTokenSec: 60 } } });
    const { access_token } = (await (await xTokens()).json()) as { access_token: string };
    const me = () => fetch(h.url('api.x.com/2/users/me'), { headers: { authorization: `Bearer ${access_token}` } });
    expect((await me()).status).toBe(200);
    await h.client.advanceClock(61);
    expect((await me()).status).toBe(401);
    const tokens = await h.client.tokens({ platform: 'x', externalId: '1500000000000000001' });
    expect(tokens.find((t) => t.kind === 'access')?.live).toBe(false);
    expect(JSON.stringify(tokens)).not.toContain(access_token);
  });

  it('rate-limits a platform token endpoint globally', async () => {
    await h.client.configure({ tokenRateLimits: { bluesky: { limit: 2, windowSec: 60 } } });
    const login = () => postJson(h.url('bsky.social/xrpc/com.atproto.server.createSession'), { identifier: 'alice.bsky.social', password: 'abcd-efgh-ijkl-mnop' });
    expect((await login()).status).toBe(200);
    expect((await login()).status).toBe(200);
    const third = await login();
    expect(third.status).toBe(429);
    expect(third.headers.get('ratelimit-reset')).not.toBeNull();
    await h.client.configure({ tokenRateLimits: { bluesky: null } });
    expect((await login()).status).toBe(200);
  });

  it('slows an account down by the configured delay', async () => {
    const { access_token } = (await (await xTokens()).json()) as { access_token: string };
    await h.client.slowDown('x', '1500000000000000001', 150);
    const started = Date.now();
    await fetch(h.url('api.x.com/2/users/me'), { headers: { authorization: `Bearer ${access_token}` } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('creates identities that appear on the consent page and can log in', async () => {
    const created = await h.client.createIdentity({ platform: 'x', handle: 'sandbox_dave', subscriptionType: 'PremiumPlus' });
    const { challenge } = pkcePair();
    const authorize = withQuery(h.url('x.com/i/oauth2/authorize'), {
      response_type: 'code', client_id: 'sandbox-x-client', redirect_uri: REDIRECT, scope: 'users.read', state: 's', code_challenge: challenge, code_challenge_method: 'S256',
    });
    const page = await (await fetch(authorize)).text();
    expect(page).toContain('sandbox_dave');
    expect(page).toContain('name="decision" value="approve"');
    expect(page).toContain(`value="${created.id}"`);
    const facebook = await h.client.createIdentity({ platform: 'instagram', handle: 'erin' });
    expect(facebook.platform).toBe('facebook');
    expect(facebook.pages?.[0]?.instagram?.id).toMatch(/^1784/);
    await expect(h.client.createIdentity({ platform: 'x', handle: 'sandbox_dave' })).rejects.toBeInstanceOf(SandboxError);
  });

  it('refuses unknown clients and redirect URIs with a page instead of a redirect', async () => {
    const bad = withQuery(h.url('accounts.google.com/o/oauth2/v2/auth'), { client_id: 'nope', redirect_uri: REDIRECT, response_type: 'code', scope: 'x' });
    await expect(approveConsent(bad)).rejects.toThrow(/400/);
    const noRedirect = await fetch(withQuery(h.url('www.pinterest.com/oauth/'), { client_id: 'sandbox-pinterest-client', response_type: 'code' }));
    expect(noRedirect.status).toBe(400);
    expect(await noRedirect.text()).toContain('redirect_uri');
  });

  it('validates control requests and serves the home page and avatars', async () => {
    const invalid = await postJson(h.url('_sandbox/faults'), { platform: 'myspace', externalId: '1', fault: 'revoke' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toContain('platform');
    const home = await fetch(h.url(''));
    expect(await home.text()).toContain('sandbox-x-client');
    const [alice] = await h.client.identities('x');
    const avatar = await fetch(alice!.avatarUrl);
    expect(avatar.headers.get('content-type')).toContain('image/svg+xml');
  });

  it('counts calls per endpoint globally and per platform', async () => {
    await xTokens();
    await xTokens('sandbox_bob');
    const x = await h.client.counters({ platform: 'x' });
    expect(x.calls['POST api.x.com/2/oauth2/token']).toBe(2);
    expect(x.tokensIssued).toBe(2);
    expect((await h.client.counters()).calls['POST api.x.com/2/oauth2/token']).toBe(2);
    expect((await h.client.counters({ platform: 'x', externalId: '1500000000000000002' })).calls['POST api.x.com/2/oauth2/token']).toBe(1);
  });
});
