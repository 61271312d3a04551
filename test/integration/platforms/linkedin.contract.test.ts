import { describe, expect, it } from 'vitest';
import { createPkce } from '../../../platforms/oauth.js';
import { approveConsent } from '../../../sandbox/client.js';
import { accountOf, adapterFor, checkIdempotentPublish, checkTransientFaults, connect, credentialsOf, expectOk, REDIRECT_URI, useSandbox } from './contract-harness.js';

const context = useSandbox('linkedin');
const organizationMode = () => adapterFor(context, 'linkedin', { linkedin: { mode: 'organization', organizationClient: { clientId: 'sandbox-linkedin-organization-client', clientSecret: 'sandbox-linkedin-organization-secret' } } });

function nextMidnightUtc(): number {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
}

describe('LinkedIn adapter against the sandbox', () => {
  it('member mode: signs in on the OpenID + Share app, posts as the member, never asks for organizations', async () => {
    const { adapter, control } = context;
    const url = new URL(adapter.authorizationUrl({ state: 's', redirectUri: REDIRECT_URI, codeChallenge: createPkce().challenge }));
    expect(url.searchParams.get('client_id')).toBe('sandbox-linkedin-client');
    expect(url.searchParams.get('scope')?.split(' ').sort()).toEqual(['openid', 'profile', 'w_member_social']);
    expect(adapter.hasTargetChoice).toBe(false);

    const { tokens, identity } = await connect(context, { identity: 'alice-archer-1' });
    expect(tokens.refreshToken).toBeUndefined();
    expect(identity.meta).toMatchObject({ authorUrn: `urn:li:person:${identity.externalId}`, app: 'member' });
    const profile = accountOf('linkedin', identity);
    const credentials = credentialsOf(tokens);
    expect(adapter.tokenPolicy(credentials).renewal).toBe('none');
    expect(await adapter.refresh(profile, credentials)).toMatchObject({ kind: 'reauthRequired', code: 'refresh_unavailable' });
    expect(expectOk(await adapter.validate(profile, credentials))).toEqual({});

    const before = await control.counters({ platform: 'linkedin' });
    await checkIdempotentPublish(context, 'linkedin', profile, credentials, { text: `Member post ${Date.now()}` });
    const after = await control.counters({ platform: 'linkedin' });
    expect(after.calls['GET api.linkedin.com/rest/organizationAcls'] ?? 0).toBe(before.calls['GET api.linkedin.com/rest/organizationAcls'] ?? 0);

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

  it('organization mode: signs in on the Community Management app with its own client, lists administered organizations and posts as one', async () => {
    const { control } = context;
    const adapter = organizationMode();
    const url = new URL(adapter.authorizationUrl({ state: 's', redirectUri: REDIRECT_URI, codeChallenge: createPkce().challenge }));
    expect(url.searchParams.get('client_id')).toBe('sandbox-linkedin-organization-client');
    expect(url.searchParams.get('scope')?.split(' ')).not.toContain('openid');

    const { tokens, identity } = await connect(context, { identity: 'bob-archer-2' }, adapter);
    expect(identity.displayName).toBe('Bob Baker');
    const targets = expectOk(await adapter.listTargets!(tokens, identity));
    expect(targets.map((t) => [t.kind, t.externalId])).toEqual([
      ['organization', '10000002'],
      ['organization', '10000003'],
    ]);
    const org = accountOf('linkedin', targets[1]!);
    expect(org.meta).toMatchObject({ authorUrn: 'urn:li:organization:10000003', app: 'organization' });
    const credentials = credentialsOf(tokens);
    const posted = expectOk(await adapter.publish(org, credentials, { text: `Org post ${Date.now()}`, idempotencyKey: `o-${Date.now()}` }));
    const stored = (await control.posts({ platform: 'linkedin' })).find((p) => p.id === posted.externalId);
    expect(stored?.authorId).toBe('10000003');
    // Token checks and revocation use the app that issued the token.
    expect(expectOk(await adapter.validate(org, credentials))).toEqual({});
    expect(expectOk(await adapter.revoke(org, credentials))).toEqual({ revokedAtPlatform: true });
    expect((await adapter.validate(org, credentials)).kind).toBe('reauthRequired');

    // A member-mode installation still renews and revokes an organization connected through the other app.
    const again = await connect(context, { identity: 'alice-archer-1' }, adapter);
    const acme = accountOf('linkedin', expectOk(await adapter.listTargets!(again.tokens, again.identity))[0]!);
    expect(expectOk(await context.adapter.validate(acme, credentialsOf(again.tokens)))).toEqual({});
  });

  it('a retired LinkedIn-Version is a configuration problem named as such, not a reason to reconnect', async () => {
    const { tokens, identity } = await connect(context, { identity: 'carol-archer-3' });
    const retired = adapterFor(context, 'linkedin', { apiVersions: { linkedin: '202510', metaGraph: 'v25.0' } });
    const outcome = await retired.publish(accountOf('linkedin', identity), credentialsOf(tokens), { text: `old version ${Date.now()}`, idempotencyKey: `v-${Date.now()}` });
    expect(outcome).toMatchObject({ kind: 'invalid', message: expect.stringContaining('LINKEDIN_VERSION') });
    expect(outcome.kind === 'invalid' && outcome.message).toContain('202510');
  });

  it('an app asking for scopes its products lack is refused by LinkedIn at the consent step', async () => {
    // What one bundle over both apps would get: the whole sign-in refused.
    const bundle = new URL(context.adapter.authorizationUrl({ state: 's', redirectUri: REDIRECT_URI, codeChallenge: createPkce().challenge }));
    bundle.searchParams.set('scope', `${bundle.searchParams.get('scope')} rw_organization_admin`);
    const refused = new URL(await approveConsent(bundle.toString()));
    expect(refused.searchParams.get('error')).toBe('unauthorized_scope_error');
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
