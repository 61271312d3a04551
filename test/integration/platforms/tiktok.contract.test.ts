import { describe, expect, it } from 'vitest';
import { createPkce } from '../../../platforms/oauth.js';
import { approveConsent } from '../../../sandbox/client.js';
import { accountOf, checkIdempotentPublish, checkRotation, checkTransientFaults, connect, credentialsOf, expectOk, expectResetNear, REDIRECT_URI, useSandbox } from './contract-harness.js';

const context = useSandbox('tiktok');

describe('TikTok adapter against the sandbox', () => {
  it('asks for user.info.profile so the handle is the TikTok username', async () => {
    const { adapter } = context;
    const scopes = new URL(adapter.authorizationUrl({ state: 's', redirectUri: REDIRECT_URI, codeChallenge: createPkce().challenge })).searchParams.get('scope');
    expect(scopes?.split(',')).toContain('user.info.profile');
    const { identity } = await connect(context, { identity: 'alice.tok' });
    expect(identity).toMatchObject({ externalId: '-000ALICEopenid1AbCdEfGh', handle: 'alice.tok', displayName: 'Alice Archer' });
  });

  it('still connects when the person grants only user.info.basic, named by display name', async () => {
    const { adapter } = context;
    const pkce = createPkce();
    const url = new URL(adapter.authorizationUrl({ state: 's', redirectUri: REDIRECT_URI, codeChallenge: pkce.challenge }));
    url.searchParams.set('scope', 'user.info.basic,video.publish');
    const code = new URL(await approveConsent(url.toString(), { identity: 'carol.tok' })).searchParams.get('code')!;
    const tokens = expectOk(await adapter.exchangeCode({ code, redirectUri: REDIRECT_URI, codeVerifier: pkce.verifier }));
    expect(expectOk(await adapter.identity(tokens))).toMatchObject({ externalId: '-000CAROLopenid3AbCdEfGh', handle: 'Carol Chen' });
  });

  it('connects, rotates refresh tokens, publishes a photo once per key, refuses text-only posts, and classifies faults', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'alice.tok' });
    expect(tokens.refreshTokenLifetimeSec).toBeGreaterThan(0);
    const account = accountOf('tiktok', identity);
    const current = await checkRotation(context, 'tiktok', account, credentialsOf(tokens));

    expect(await adapter.publish(account, current, { text: 'text only', idempotencyKey: 't' })).toMatchObject({ kind: 'invalid', message: expect.stringContaining('TikTok') });
    await checkIdempotentPublish(context, 'tiktok', account, current, { text: `Photo ${Date.now()}`, imageUrl: 'https://images.example.com/a.jpg' });

    const { limited, before } = await checkTransientFaults(context, 'tiktok', identity.externalId, () => adapter.validate(account, current));
    expectResetNear(limited, before + 60_000);
    await control.clearFaults('tiktok', identity.externalId);

    await control.removeApp('tiktok', identity.externalId);
    expect(await adapter.validate(account, current)).toMatchObject({ kind: 'reauthRequired', code: 'access_token_rejected' });
    expect(await adapter.refresh(account, current)).toMatchObject({ kind: 'reauthRequired', code: 'refresh_token_invalid', message: expect.stringMatching(/TikTok/) });
  });

  it('revokes its token', async () => {
    const { adapter } = context;
    const { tokens, identity } = await connect(context, { identity: 'bob.tok' });
    const account = accountOf('tiktok', identity);
    expect(expectOk(await adapter.revoke(account, credentialsOf(tokens)))).toEqual({ revokedAtPlatform: true });
    expect((await adapter.validate(account, credentialsOf(tokens))).kind).toBe('reauthRequired');
  });
});
