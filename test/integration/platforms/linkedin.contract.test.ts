import { describe, expect, it } from 'vitest';
import { accountOf, checkIdempotentPublish, checkTransientFaults, connect, credentialsOf, expectOk, useSandbox } from './contract-harness.js';

const context = useSandbox('linkedin');

function nextMidnightUtc(): number {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
}

describe('LinkedIn adapter against the sandbox', () => {
  it('connects without partner refresh: profile plus administered organizations, no renewal', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'alice-archer-1' });
    expect(tokens.refreshToken).toBeUndefined();
    expect(tokens.accessTokenLifetimeSec).toBeGreaterThan(0);
    const targets = expectOk(await adapter.listTargets!(tokens, identity));
    expect(targets[0]).toMatchObject({ kind: 'profile', externalId: identity.externalId });
    const org = targets.find((t) => t.kind === 'organization');
    expect(org?.meta?.authorUrn).toMatch(/^urn:li:organization:/);
    const credentials = credentialsOf(tokens);
    expect(adapter.tokenPolicy(credentials).renewal).toBe('none');
    expect(await adapter.refresh(accountOf('linkedin', targets[0]!), credentials)).toMatchObject({ kind: 'reauthRequired', code: 'refresh_unavailable' });
    expect(expectOk(await adapter.validate(accountOf('linkedin', targets[0]!), credentials))).toEqual({});

    const profile = accountOf('linkedin', targets[0]!);
    await checkIdempotentPublish(context, 'linkedin', profile, credentials, { text: `Member post ${Date.now()}` });
    const orgAccount = accountOf('linkedin', org!);
    const orgPost = expectOk(await adapter.publish(orgAccount, credentials, { text: `Org post ${Date.now()}`, idempotencyKey: `o-${Date.now()}` }));
    const stored = (await control.posts({ platform: 'linkedin' })).find((p) => orgPost.externalId.endsWith(p.id) || p.id === orgPost.externalId);
    expect(stored?.authorId).toBe(org!.externalId);

    const { limited } = await checkTransientFaults(context, 'linkedin', identity.externalId, () =>
      adapter.publish(profile, credentials, { text: `fault ${Date.now()}`, idempotencyKey: `k-${Date.now()}` }),
    );
    if (limited.kind === 'rateLimited') expect(Date.parse(limited.resetAt)).toBe(nextMidnightUtc());
    await control.clearFaults('linkedin', identity.externalId);

    await control.revoke('linkedin', identity.externalId);
    expect(await adapter.publish(profile, credentials, { text: 'after revoke', idempotencyKey: `r-${Date.now()}` })).toMatchObject({
      kind: 'reauthRequired',
      message: expect.stringMatching(/LinkedIn/),
    });
  });

  it('with partner refresh tokens: refreshes twice and revokes', async () => {
    const { adapter, control } = context;
    await control.configure({ linkedinPartnerRefresh: true });
    const { tokens, identity } = await connect(context, { identity: 'bob-archer-2' });
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.refreshTokenLifetimeSec).toBeGreaterThan(0);
    const account = accountOf('linkedin', identity);
    const credentials = credentialsOf(tokens);
    expect(adapter.tokenPolicy(credentials).renewal).toBe('refresh');
    const first = expectOk(await adapter.refresh(account, credentials));
    const second = expectOk(await adapter.refresh(account, credentialsOf(first)));
    expect(second.accessToken).toBeTruthy();
    expect(second.refreshToken).toBeTruthy();
    expect(expectOk(await adapter.revoke(account, credentialsOf(second)))).toEqual({ revokedAtPlatform: true });
    expect((await adapter.validate(account, credentialsOf(second))).kind).toBe('reauthRequired');
  });
});
