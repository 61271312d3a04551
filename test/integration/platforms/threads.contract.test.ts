import { describe, expect, it } from 'vitest';
import { accountOf, checkIdempotentPublish, checkTransientFaults, connect, credentialsOf, expectOk, expectResetNear, useSandbox } from './contract-harness.js';

const context = useSandbox('threads');

describe('Threads adapter against the sandbox', () => {
  it('connects with a long-lived token, renews it once a day old, publishes once per key, and classifies faults', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'alice.threads' });
    expect(tokens.refreshToken).toBeUndefined();
    expect(tokens.accessTokenLifetimeSec).toBeGreaterThan(86_400);
    const account = accountOf('threads', identity);
    const credentials = credentialsOf(tokens);
    expect(adapter.tokenPolicy(credentials)).toEqual({ renewal: 'exchange', minTokenAgeSec: 86_400, check: 'inspect' });

    await control.advanceClock(86_400 + 60);
    const renewed = expectOk(await adapter.refresh(account, credentials));
    expect(renewed.accessToken).toBeTruthy();
    expect(renewed.accessTokenLifetimeSec).toBeGreaterThan(86_400);
    const current = credentialsOf(renewed);

    await checkIdempotentPublish(context, 'threads', account, current, { text: `Thread ${Date.now()}` });
    expect(expectOk(await adapter.revoke(account, current))).toEqual({ revokedAtPlatform: false });

    const { limited, before } = await checkTransientFaults(context, 'threads', identity.externalId, () =>
      adapter.publish(account, current, { text: `fault ${Date.now()}`, idempotencyKey: `k-${Date.now()}` }),
    );
    // The sandbox clock was moved a day ahead; Meta reports the wait in minutes, relative to the call.
    expectResetNear(limited, before + 600_000, 61_000);
    await control.clearFaults('threads', identity.externalId);

    await control.revoke('threads', identity.externalId);
    const after = await adapter.validate(account, current);
    expect(after.kind).toBe('reauthRequired');
  });

  it('counts emoji as Threads does: a post over 500 by bytes-per-emoji is refused locally, with no request', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'bob.threads' });
    const account = accountOf('threads', identity);
    const credentials = credentialsOf(tokens);
    const text = `${'a'.repeat(480)}${'🎉'.repeat(6)}`;
    const before = await control.counters({ platform: 'threads' });
    expect(adapter.validatePost({ text }, {})).toEqual(['Threads allows 500 characters (each emoji counts as its UTF-8 bytes); this post has 504']);
    expect(await adapter.publish(account, credentials, { text, idempotencyKey: `e-${Date.now()}` })).toMatchObject({ kind: 'invalid', message: expect.stringContaining('504') });
    expect((await control.counters({ platform: 'threads' })).calls['POST graph.threads.net/:userId/threads'] ?? 0).toBe(before.calls['POST graph.threads.net/:userId/threads'] ?? 0);
    const fits = `${'a'.repeat(480)}${'🎉'.repeat(5)}`;
    expect(expectOk(await adapter.publish(account, credentials, { text: fits, idempotencyKey: `f-${Date.now()}` })).externalId).toBeTruthy();
  });
});
