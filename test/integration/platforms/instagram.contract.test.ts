import { describe, expect, it } from 'vitest';
import { accountOf, checkIdempotentPublish, checkTransientFaults, connect, credentialsOf, expectOk, expectResetNear, useSandbox } from './contract-harness.js';

const context = useSandbox('instagram');

describe('Instagram (via Facebook Login) adapter against the sandbox', () => {
  it('connects, lists one Instagram account per linked Page, publishes an image once per key, and classifies faults', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'alice' });
    const targets = expectOk(await adapter.listTargets!(tokens, identity));
    expect(targets.length).toBeGreaterThan(0);
    const ig = targets[0]!;
    expect(ig.kind).toBe('instagram');
    expect(ig.meta?.pageId).toBeTruthy();
    expect(new Set(targets.map((t) => t.meta?.pageId)).size).toBe(targets.length);
    const account = accountOf('instagram', ig);
    const credentials = credentialsOf(ig.tokens!);
    expect(adapter.tokenPolicy(credentials).renewal).toBe('validate');
    expect(expectOk(await adapter.validate(account, credentials)).dataAccessLifetimeSec).toBeGreaterThan(0);

    const textOnly = await adapter.publish(account, credentials, { text: 'no image', idempotencyKey: `n-${Date.now()}` });
    expect(textOnly).toMatchObject({ kind: 'invalid', message: expect.stringContaining('image') });

    await checkIdempotentPublish(context, 'instagram', account, credentials, { text: `Caption ${Date.now()}`, imageUrl: 'https://images.example.com/cat.jpg' });

    const { limited, before } = await checkTransientFaults(context, 'instagram', ig.externalId, () =>
      adapter.publish(account, credentials, { text: `fault ${Date.now()}`, imageUrl: 'https://images.example.com/cat.jpg', idempotencyKey: `k-${Date.now()}` }),
    );
    expectResetNear(limited, before + 600_000, 61_000);
    await control.clearFaults('instagram', ig.externalId);

    await control.removeApp('instagram', identity.externalId);
    expect(await adapter.validate(account, credentials)).toMatchObject({ kind: 'reauthRequired', code: 'app_removed', message: expect.stringMatching(/removed Tether/) });
  });
});
