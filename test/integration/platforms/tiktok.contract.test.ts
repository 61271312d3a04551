import { describe, expect, it } from 'vitest';
import { accountOf, checkIdempotentPublish, checkRotation, checkTransientFaults, connect, credentialsOf, expectOk, expectResetNear, useSandbox } from './contract-harness.js';

const context = useSandbox('tiktok');

describe('TikTok adapter against the sandbox', () => {
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
