import { describe, expect, it } from 'vitest';
import { resolvePlatformUrl } from '../../../platforms/base-url.js';
import { createPkce, pkceChallenge } from '../../../platforms/oauth.js';
import { createAdapters } from '../../../platforms/registry.js';
import { PLATFORM_IDS } from '../../../platforms/types.js';
import { allClients, scriptedFetch } from './fake-fetch.js';

const request = { state: 'state-123', redirectUri: 'https://tether.example/connect/x/callback', codeChallenge: 'challenge-abc' };
const expectedHosts = {
  x: 'x.com',
  linkedin: 'www.linkedin.com',
  facebook: 'www.facebook.com',
  instagram: 'www.facebook.com',
  youtube: 'accounts.google.com',
  pinterest: 'www.pinterest.com',
  tiktok: 'www.tiktok.com',
  threads: 'threads.com',
} as const;

describe('authorization URLs', () => {
  const adapters = createAdapters({ mode: 'live', sandboxUrl: 'http://127.0.0.1:4010', clients: allClients, linkedinPartnerRefresh: false });

  for (const [id, host] of Object.entries(expectedHosts)) {
    it(`${id}: real host, state, redirect and client`, () => {
      const adapter = adapters[id as keyof typeof expectedHosts]!;
      const url = new URL(adapter.authorizationUrl(request));
      expect(url.host).toBe(host);
      expect(url.protocol).toBe('https:');
      expect(url.searchParams.get('state')).toBe('state-123');
      expect(url.searchParams.get('redirect_uri')).toBe(request.redirectUri);
      expect(url.searchParams.get(id === 'tiktok' ? 'client_key' : 'client_id')).toBe(`${id}-client`);
      if (adapter.usesPkce) {
        expect(url.searchParams.get('code_challenge')).toBe('challenge-abc');
        expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      } else {
        expect(url.searchParams.get('code_challenge')).toBeNull();
      }
    });
  }

  it('X and YouTube use PKCE; YouTube asks for offline access and the account chooser', () => {
    expect(adapters.x!.usesPkce).toBe(true);
    expect(adapters.youtube!.usesPkce).toBe(true);
    const yt = new URL(adapters.youtube!.authorizationUrl(request));
    expect(yt.searchParams.get('access_type')).toBe('offline');
    expect(yt.searchParams.get('prompt')).toBe('consent select_account');
    const x = new URL(adapters.x!.authorizationUrl(request));
    expect(x.searchParams.get('scope')?.split(' ')).toContain('offline.access');
  });

  it('Bluesky has no authorization URL', () => {
    expect(adapters.bluesky!.connect).toBe('appPassword');
    expect(() => adapters.bluesky!.authorizationUrl(request)).toThrow(/app password/);
  });

  it('the PKCE helper produces an S256 challenge of its verifier', () => {
    const { verifier, challenge } = createPkce();
    expect(verifier.length).toBeGreaterThanOrEqual(43);
    expect(challenge).toBe(pkceChallenge(verifier));
    // RFC 7636 appendix B test vector.
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
});

describe('sandbox mode', () => {
  it('maps https://<host>/<path> to <sandboxUrl>/<host>/<path>', () => {
    const mapping = { mode: 'sandbox' as const, sandboxUrl: 'http://127.0.0.1:4010/' };
    expect(resolvePlatformUrl('https://api.x.com/2/tweets?x=1', mapping)).toBe('http://127.0.0.1:4010/api.x.com/2/tweets?x=1');
    expect(resolvePlatformUrl('https://www.pinterest.com/oauth/', mapping)).toBe('http://127.0.0.1:4010/www.pinterest.com/oauth/');
    expect(resolvePlatformUrl('http://127.0.0.1:4010/bsky.social/xrpc/a', mapping)).toBe('http://127.0.0.1:4010/bsky.social/xrpc/a');
    expect(resolvePlatformUrl('https://api.x.com/2/tweets', { mode: 'live', sandboxUrl: 'http://127.0.0.1:4010' })).toBe('https://api.x.com/2/tweets');
  });

  it('authorization URLs and API calls go to the sandbox', async () => {
    const fake = scriptedFetch([{ status: 200, body: { data: { id: '1', username: 'a', name: 'A' } } }]);
    const adapters = createAdapters({ mode: 'sandbox', sandboxUrl: 'http://127.0.0.1:4010', clients: allClients, linkedinPartnerRefresh: false, fetch: fake.fetch });
    expect(adapters.x!.authorizationUrl(request).startsWith('http://127.0.0.1:4010/x.com/i/oauth2/authorize?')).toBe(true);
    await adapters.x!.identity({ accessToken: 't' });
    expect(fake.sent[0]!.url.toString()).toBe('http://127.0.0.1:4010/api.x.com/2/users/me?user.fields=profile_image_url');
  });

  it('omits OAuth platforms without a client but always offers Bluesky', () => {
    const adapters = createAdapters({ mode: 'live', sandboxUrl: 'http://127.0.0.1:4010', clients: { x: allClients.x }, linkedinPartnerRefresh: false });
    expect(Object.keys(adapters).sort()).toEqual(['bluesky', 'x']);
    expect(PLATFORM_IDS).toContain('bluesky');
  });
});
