import { describe, expect, it } from 'vitest';
import { accountOf, checkIdempotentPublish, checkRotation, checkTransientFaults, credentialsOf, expectOk, expectResetNear, useSandbox } from './contract-harness.js';

const context = useSandbox('bluesky');

describe('Bluesky adapter against the sandbox', () => {
  it('creates a session from an app password, rotates refresh JWTs, publishes once per key, and classifies faults', async () => {
    const { adapter, control } = context;
    const created = await control.createBlueskyAccount({ handle: 'contract.bsky.social', displayName: 'Contract' });
    const wrong = await adapter.createSession!({ identifier: created.handle, appPassword: 'aaaa-bbbb-cccc-dddd' });
    expect(wrong).toMatchObject({ kind: 'reauthRequired', code: 'app_password_invalid' });

    const { tokens, identity } = expectOk(await adapter.createSession!({ identifier: created.handle, appPassword: created.appPassword }));
    expect(identity.externalId).toMatch(/^did:/);
    expect(identity.handle).toBe('contract.bsky.social');
    expect(identity.meta?.pdsUrl).toBeTruthy();
    expect(JSON.stringify({ tokens, identity })).not.toContain(created.appPassword);
    const account = accountOf('bluesky', identity);
    const current = await checkRotation(context, 'bluesky', account, credentialsOf(tokens));

    await checkIdempotentPublish(context, 'bluesky', account, current, { text: `Skeet ${Date.now()}` });
    const tooLong = await adapter.publish(account, current, { text: 'a'.repeat(301), idempotencyKey: 'long' });
    expect(tooLong).toMatchObject({ kind: 'invalid', message: 'Bluesky allows 300 characters; this post has 301' });

    const { limited, before } = await checkTransientFaults(context, 'bluesky', identity.externalId, () => adapter.validate(account, current));
    expectResetNear(limited, before + 600_000);
    await control.clearFaults('bluesky', identity.externalId);

    await control.failNext('bluesky', identity.externalId, 1, 502);
    expect((await adapter.refresh(account, current)).kind).toBe('transient');

    await control.changePassword('bluesky', identity.externalId);
    expect(await adapter.refresh(account, current)).toMatchObject({ kind: 'reauthRequired', code: 'refresh_token_invalid', message: expect.stringMatching(/app password/) });
  });

  it('logs out with deleteSession', async () => {
    const { adapter, control } = context;
    const created = await control.createBlueskyAccount({ handle: 'logout.bsky.social' });
    const { tokens, identity } = expectOk(await adapter.createSession!({ identifier: created.handle, appPassword: created.appPassword }));
    const account = accountOf('bluesky', identity);
    expect(expectOk(await adapter.revoke(account, credentialsOf(tokens)))).toEqual({ revokedAtPlatform: true });
    expect((await adapter.refresh(account, credentialsOf(tokens))).kind).toBe('reauthRequired');
  });

  it('signs in to the PDS the handle resolves to, not only bsky.social, and keeps using it', async () => {
    const { adapter, control } = context;
    const created = await control.createBlueskyAccount({ handle: 'selfhosted.example.org', pdsUrl: 'https://pds.example.net' });
    const { tokens, identity } = expectOk(await adapter.createSession!({ identifier: '@selfhosted.example.org', appPassword: created.appPassword }));
    expect(identity).toMatchObject({ externalId: created.id, handle: 'selfhosted.example.org', meta: { pdsUrl: 'https://pds.example.net' } });
    const account = accountOf('bluesky', identity);
    const renewed = expectOk(await adapter.refresh(account, credentialsOf(tokens)));
    const published = expectOk(await adapter.publish(account, credentialsOf(renewed), { text: `From my own PDS ${Date.now()}`, idempotencyKey: `pds-${Date.now()}` }));
    expect(published.externalId).toMatch(new RegExp(`^at://${created.id}/app.bsky.feed.post/`));
    const calls = (await control.counters({ platform: 'bluesky', externalId: created.id })).calls;
    expect(calls['POST pds.example.net/xrpc/com.atproto.server.createSession']).toBe(1);
    expect(calls['POST bsky.social/xrpc/com.atproto.server.createSession'] ?? 0).toBe(0);
  });

  it('resolves a DNS-only handle through resolveHandle and a did:web identity through its did.json', async () => {
    const { adapter, control } = context;
    const dns = await control.createBlueskyAccount({ handle: 'dnsonly.example.org', handleMethod: 'dns', pdsUrl: 'https://pds.example.net' });
    expect(expectOk(await adapter.createSession!({ identifier: 'dnsonly.example.org', appPassword: dns.appPassword })).identity.externalId).toBe(dns.id);
    const web = await control.createBlueskyAccount({ handle: 'webdid.example.org', didMethod: 'web', pdsUrl: 'https://pds.example.net' });
    expect(expectOk(await adapter.createSession!({ identifier: 'webdid.example.org', appPassword: web.appPassword })).identity).toMatchObject({
      externalId: 'did:web:webdid.example.org',
      meta: { pdsUrl: 'https://pds.example.net' },
    });
    expect(await adapter.createSession!({ identifier: 'nobody.example.org', appPassword: 'aaaa-bbbb-cccc-dddd' })).toMatchObject({
      kind: 'reauthRequired',
      code: 'app_password_invalid',
      message: expect.stringContaining('could not find the handle nobody.example.org'),
    });
  });

  it('refuses a PDS that is not public https, before sending the app password anywhere', async () => {
    const { adapter, control } = context;
    for (const pdsUrl of ['http://pds.example.net', 'https://10.1.2.3', 'https://169.254.169.254', 'https://localhost:2583']) {
      const handle = `refused${Math.random().toString(36).slice(2, 8)}.example.org`;
      const created = await control.createBlueskyAccount({ handle, pdsUrl });
      const outcome = await adapter.createSession!({ identifier: handle, appPassword: created.appPassword });
      expect(outcome, pdsUrl).toMatchObject({ kind: 'invalid', message: expect.stringContaining('Tether only signs in to a PDS') });
    }
  });

  it('posts links and mentions as rich-text facets with UTF-8 byte offsets', async () => {
    const { adapter, control } = context;
    const created = await control.createBlueskyAccount({ handle: 'facets.bsky.social' });
    const { tokens, identity } = expectOk(await adapter.createSession!({ identifier: created.handle, appPassword: created.appPassword }));
    const text = 'Héllo 👋 @alice.bsky.social, see https://example.com/a?b=1 and @nobody.example.org';
    const published = expectOk(await adapter.publish(accountOf('bluesky', identity), credentialsOf(tokens), { text, idempotencyKey: `facets-${Date.now()}` }));
    const stored = (await control.posts({ platform: 'bluesky' })).find((p) => p.id === published.externalId);
    const at = (part: string) => ({ byteStart: Buffer.byteLength(text.slice(0, text.indexOf(part))), byteEnd: Buffer.byteLength(text.slice(0, text.indexOf(part) + part.length)) });
    expect(stored?.options?.facets).toEqual([
      { $type: 'app.bsky.richtext.facet', index: at('@alice.bsky.social'), features: [{ $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:sandboxalice7k2xq4ecbzr' }] },
      { index: at('https://example.com/a?b=1'), features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com/a?b=1' }] },
    ]);
  });
});
