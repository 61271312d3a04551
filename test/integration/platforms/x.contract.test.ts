import { describe, expect, it } from 'vitest';
import { accountOf, checkIdempotentPublish, checkRotation, checkTransientFaults, connect, credentialsOf, expectOk, expectResetNear, useSandbox } from './contract-harness.js';

const context = useSandbox('x');

describe('X adapter against the sandbox', () => {
  it('connects, rotates refresh tokens, publishes once per key, reads premium, and classifies faults', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context);
    expect(identity.handle).toBeTruthy();
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.accessTokenLifetimeSec).toBeGreaterThan(0);
    const account = accountOf('x', identity);

    const fresh = await checkRotation(context, 'x', account, credentialsOf(tokens));

    await checkIdempotentPublish(context, 'x', account, fresh, { text: `Hello from the X contract test ${Date.now()}` });

    expect(expectOk(await adapter.premiumStatus!(account, fresh)).subscriptionType).toBe('None');
    await control.setSubscription(identity.externalId, 'Premium', 'blue');
    expect(expectOk(await adapter.premiumStatus!(account, fresh))).toEqual({ subscriptionType: 'Premium', verifiedType: 'blue' });

    const { limited, before } = await checkTransientFaults(context, 'x', identity.externalId, () =>
      adapter.publish(account, fresh, { text: `fault ${Date.now()}`, idempotencyKey: `k-${Date.now()}` }),
    );
    expectResetNear(limited, before + 600_000);
    await control.clearFaults('x', identity.externalId);

    await control.revoke('x', identity.externalId);
    const rejected = await adapter.publish(account, fresh, { text: `after revoke ${Date.now()}`, idempotencyKey: `k2-${Date.now()}` });
    expect(rejected).toMatchObject({ kind: 'reauthRequired', code: 'access_token_rejected' });
    const refreshAfterRevoke = await adapter.refresh(account, fresh);
    expect(refreshAfterRevoke).toMatchObject({ kind: 'reauthRequired', code: 'refresh_token_invalid', message: expect.stringMatching(/X no longer accepts/) });
  });

  it('revokes its tokens', async () => {
    const { adapter } = context;
    const { tokens, identity } = await connect(context, { identity: 'sandbox_bob' });
    const account = accountOf('x', identity);
    expect(expectOk(await adapter.revoke(account, credentialsOf(tokens)))).toEqual({ revokedAtPlatform: true });
    expect((await adapter.refresh(account, credentialsOf(tokens))).kind).toBe('reauthRequired');
  });
});
