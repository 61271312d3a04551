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
});
