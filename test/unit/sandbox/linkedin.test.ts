import { describe, expect, it } from 'vitest';
import { approveConsent, denyConsent } from '../../../sandbox/client.js';
import { codeOf, postForm, postJson, REDIRECT, useSandbox, withQuery } from './helpers.js';

const h = useSandbox();
const ALICE = 'liALICE1xYz';
const ACME = '10000001';
const REST = { 'linkedin-version': '202603', 'x-restli-protocol-version': '2.0.0' };
const MEMBER_APP = { id: 'sandbox-linkedin-client', secret: 'sandbox-linkedin-secret', scope: 'openid profile w_member_social' };
const ORGANIZATION_APP = {
  id: 'sandbox-linkedin-organization-client',
  secret: 'sandbox-linkedin-organization-secret',
  scope: 'r_basicprofile w_organization_social rw_organization_admin',
};

const authorizeUrl = (app: { id: string; scope: string }) =>
  withQuery(h.url('www.linkedin.com/oauth/v2/authorization'), { response_type: 'code', client_id: app.id, redirect_uri: REDIRECT, state: 'li', scope: app.scope });

async function connect(app: { id: string; secret: string; scope: string } = MEMBER_APP) {
  const code = codeOf(await approveConsent(authorizeUrl(app), { identity: ALICE }));
  const response = await postForm(h.url('www.linkedin.com/oauth/v2/accessToken'), {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    client_id: app.id,
    client_secret: app.secret,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, string | number>;
}

const refresh = (token: string) =>
  postForm(h.url('www.linkedin.com/oauth/v2/accessToken'), {
    grant_type: 'refresh_token',
    refresh_token: token,
    client_id: 'sandbox-linkedin-client',
    client_secret: 'sandbox-linkedin-secret',
  });

const post = (token: string, author: string, commentary: string, key?: string) =>
  postJson(
    h.url('api.linkedin.com/rest/posts'),
    { author, commentary, visibility: 'PUBLIC', distribution: { feedDistribution: 'MAIN_FEED' }, lifecycleState: 'PUBLISHED' },
    { authorization: `Bearer ${token}`, ...REST, ...(key ? { 'idempotency-key': key } : {}) },
  );

describe('LinkedIn sandbox', () => {
  it('issues a 60-day token without a refresh token by default; the member app reads userinfo, the organization app organizations', async () => {
    const tokens = await connect();
    expect(tokens.expires_in).toBe(60 * 86400);
    expect(tokens.refresh_token).toBeUndefined();
    const member = { authorization: `Bearer ${tokens.access_token}` };
    const userinfo = await fetch(h.url('api.linkedin.com/v2/userinfo'), { headers: member });
    expect(await userinfo.json()).toMatchObject({ sub: ALICE, name: 'Alice Archer' });
    const memberAcls = await fetch(h.url('api.linkedin.com/rest/organizationAcls?q=roleAssignee'), { headers: { ...member, ...REST } });
    expect(memberAcls.status).toBe(403);
    expect(await memberAcls.json()).toMatchObject({ serviceErrorCode: 100, message: expect.stringContaining('Not enough permissions') });

    const organizationTokens = await connect(ORGANIZATION_APP);
    const auth = { authorization: `Bearer ${organizationTokens.access_token}` };
    expect((await fetch(h.url('api.linkedin.com/v2/userinfo'), { headers: auth })).status).toBe(403);
    const me = await fetch(h.url('api.linkedin.com/v2/me'), { headers: auth });
    expect(await me.json()).toMatchObject({ id: ALICE, localizedFirstName: 'Alice', localizedLastName: 'Archer' });

    const noVersion = await fetch(h.url('api.linkedin.com/rest/organizationAcls?q=roleAssignee'), { headers: auth });
    expect(noVersion.status).toBe(400);
    const acls = await fetch(h.url('api.linkedin.com/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED'), { headers: { ...auth, ...REST } });
    const body = (await acls.json()) as { elements: { organization: string; role: string }[] };
    expect(body.elements).toEqual([expect.objectContaining({ organization: `urn:li:organization:${ACME}`, role: 'ADMINISTRATOR' })]);
    const org = await fetch(h.url(`api.linkedin.com/rest/organizations/${ACME}`), { headers: { ...auth, ...REST } });
    expect(await org.json()).toMatchObject({ id: Number(ACME), localizedName: 'Acme Corporation' });
  });

  it('issues refresh tokens to partners; the deadline is fixed from consent', async () => {
    await h.client.configure({ linkedinPartnerRefresh: true });
    const tokens = await connect();
    expect(tokens.refresh_token_expires_in).toBe(365 * 86400);
    await h.client.advanceClock(86400);
    const refreshed = await refresh(String(tokens.refresh_token));
    expect(refreshed.status).toBe(200);
    const body = (await refreshed.json()) as Record<string, number | string>;
    expect(body.refresh_token_expires_in).toBe(364 * 86400);
    expect(body.access_token).not.toBe(tokens.access_token);
    expect((await h.client.counters({ platform: 'linkedin', externalId: ALICE })).refreshes).toBe(1);
  });

  it('refuses a sign-in that asks for a scope the app lacks (one bundle cannot span both apps)', async () => {
    for (const [app, scope] of [
      [MEMBER_APP, 'openid profile w_member_social w_organization_social rw_organization_admin'],
      [ORGANIZATION_APP, 'openid profile w_organization_social'],
    ] as const) {
      const refused = new URL(await approveConsent(authorizeUrl({ ...app, scope })));
      expect(refused.searchParams.get('code')).toBeNull();
      expect(refused.searchParams.get('error')).toBe('unauthorized_scope_error');
      expect(refused.searchParams.get('error_description')).toMatch(/^Scope "(w_organization_social|openid)" is not authorized for your application$/);
      expect(refused.searchParams.get('state')).toBe('li');
    }
  });

  it('answers 426 NONEXISTENT_VERSION for a retired or unreleased LinkedIn-Version', async () => {
    const token = String((await connect(ORGANIZATION_APP)).access_token);
    const acls = (version: string) =>
      fetch(h.url('api.linkedin.com/rest/organizationAcls?q=roleAssignee'), { headers: { authorization: `Bearer ${token}`, 'linkedin-version': version } });
    const retired = await acls('202510');
    expect(retired.status).toBe(426);
    expect(await retired.json()).toEqual({ status: 426, code: 'NONEXISTENT_VERSION', message: 'Requested version 202510 is not active' });
    expect((await acls('209901')).status).toBe(426);
    expect((await acls('202603')).status).toBe(200);
    // The sandbox's clock moves LinkedIn's calendar too: 202603 is gone after 16 March 2027.
    const untilSunset = Math.ceil((Date.parse('2027-03-16T00:00:00Z') - Date.parse((await h.client.clock()).now)) / 1000);
    await h.client.advanceClock(untilSunset + 60);
    expect((await acls('202603')).status).toBe(426);
  });

  it('posts as member and organization with x-restli-id, rejecting duplicates with 422', async () => {
    const token = String((await connect(ORGANIZATION_APP)).access_token);
    const created = await post(token, `urn:li:organization:${ACME}`, 'We are hiring', 'a');
    expect(created.status).toBe(201);
    expect(created.headers.get('x-restli-id')).toMatch(/^urn:li:share:\d+$/);
    const replay = await post(token, `urn:li:organization:${ACME}`, 'We are hiring', 'a');
    expect(replay.headers.get('x-restli-id')).toBe(created.headers.get('x-restli-id'));
    const duplicate = await post(token, `urn:li:organization:${ACME}`, 'We are hiring', 'b');
    expect(duplicate.status).toBe(422);
    const other = await post(token, 'urn:li:organization:10000002', 'Not mine');
    expect(other.status).toBe(403);
    // The organization app asked for no w_member_social: posting as the member needs the member app.
    expect((await post(token, `urn:li:person:${ALICE}`, 'Personal note')).status).toBe(403);
    const memberToken = String((await connect()).access_token);
    expect((await post(memberToken, `urn:li:person:${ALICE}`, 'Personal note')).status).toBe(201);
    expect((await post(memberToken, `urn:li:organization:${ACME}`, 'Not with this app')).status).toBe(403);
    expect(await h.client.counters({ platform: 'linkedin', externalId: ACME })).toMatchObject({ publishAttempts: 3, publishReplays: 1, publishDuplicates: 1 });
  });

  it('answers REVOKED_ACCESS_TOKEN 65601 after a revoke and invalid_grant on refresh', async () => {
    await h.client.configure({ linkedinPartnerRefresh: true });
    const tokens = await connect();
    await h.client.revoke('linkedin', ALICE);
    const me = await fetch(h.url('api.linkedin.com/v2/userinfo'), { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(401);
    expect(await me.json()).toEqual({ status: 401, serviceErrorCode: 65601, code: 'REVOKED_ACCESS_TOKEN', message: 'The token used in the request has been revoked by the user' });
    const refreshed = await refresh(String(tokens.refresh_token));
    expect(refreshed.status).toBe(400);
    expect(await refreshed.json()).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
  });

  it('fails N calls with 500, throttles with 429 and denies with user_cancelled_authorize', async () => {
    const tokens = await connect();
    await h.client.failNext('linkedin', ALICE, 1);
    const auth = { authorization: `Bearer ${tokens.access_token}` };
    expect((await fetch(h.url('api.linkedin.com/v2/userinfo'), { headers: auth })).status).toBe(500);
    expect((await fetch(h.url('api.linkedin.com/v2/userinfo'), { headers: auth })).status).toBe(200);
    await h.client.rateLimit('linkedin', ALICE, 60);
    const limited = await fetch(h.url('api.linkedin.com/v2/userinfo'), { headers: auth });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429 });

    const denied = await denyConsent(withQuery(h.url('www.linkedin.com/oauth/v2/authorization'), { response_type: 'code', client_id: 'sandbox-linkedin-client', redirect_uri: REDIRECT, state: 'z' }));
    expect(new URL(denied).searchParams.get('error')).toBe('user_cancelled_authorize');
  });
});
