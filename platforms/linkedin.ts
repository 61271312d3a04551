// LinkedIn: OAuth 2.0 (no PKCE for web apps), 60-day access tokens; refresh tokens only for approved
// partners (365 days from first consent, never extended). Posts as the member or an organization
// the member administers, through the versioned Posts API.

import { z } from 'zod';
import { asRecord, asString, classifyByStatus, withDetail } from './errors.js';
import type { HttpResponse } from './http.js';
import { buildUrl, classifyTokenError, issuedFromOAuth, oauthTokenSchema, type AdapterDeps } from './oauth.js';
import { invalid, isFailure, ok, rateLimited, reauthRequired } from './outcome.js';
import { checkPost } from './post-rules.js';
import { describeResetAt, nextMidnightUtc } from './rate-limit.js';
import type { Credentials, Failure, IssuedTokens, PlatformAdapter, PostRules, Target } from './types.js';

const OAUTH = 'https://www.linkedin.com/oauth/v2';
const API = 'https://api.linkedin.com';
export const LINKEDIN_VERSION = '202510';
export const LINKEDIN_SCOPES = ['openid', 'profile', 'w_member_social', 'w_organization_social', 'rw_organization_admin'];
const RULES: PostRules = { maxLength: 3_000, lengthUnit: 'characters', requiresImage: false, requiresBoard: false };
const REST_HEADERS = { 'LinkedIn-Version': LINKEDIN_VERSION, 'X-Restli-Protocol-Version': '2.0.0' };

const userinfoSchema = z.looseObject({ sub: z.string().min(1), name: z.string().optional(), picture: z.string().optional(), email: z.string().optional() });
const aclsSchema = z.looseObject({ elements: z.array(z.looseObject({ organization: z.string().min(1) })) });
const organizationSchema = z.looseObject({ id: z.union([z.number(), z.string()]), localizedName: z.string().optional(), vanityName: z.string().optional() });
const introspectSchema = z.looseObject({ active: z.boolean(), status: z.string().optional() });

export interface LinkedInOptions {
  /** The app is an approved partner that receives refresh tokens (informational; presence of a refresh token decides). */
  partnerRefresh: boolean;
}

export function createLinkedInAdapter({ http, client }: AdapterDeps, _options: LinkedInOptions): PlatformAdapter {
  const name = 'LinkedIn';

  const classifyApi = (response: HttpResponse, canRefresh: boolean): Failure => {
    const body = asRecord(response.body);
    const serviceCode = typeof body?.serviceErrorCode === 'number' ? body.serviceErrorCode : undefined;
    const code = asString(body?.code) ?? '';
    const message = asString(body?.message) ?? '';
    const now = http.now();
    if (response.status === 429) {
      const resetAt = nextMidnightUtc(now);
      return rateLimited(resetAt, `LinkedIn's daily limit is used up; it resets at ${describeResetAt(resetAt, now)}`);
    }
    if (response.status === 401) {
      if (code === 'REVOKED_ACCESS_TOKEN' || serviceCode === 65601 || /revoked/i.test(message)) {
        return reauthRequired('token_revoked', 'LinkedIn says the member revoked Tether’s access — reconnect to continue');
      }
      if (canRefresh) return reauthRequired('access_token_rejected', withDetail('LinkedIn refused the access token; Tether will refresh it and retry', body));
      if (code === 'EXPIRED_ACCESS_TOKEN' || serviceCode === 65602 || /expired/i.test(message)) {
        return reauthRequired('token_expired', 'LinkedIn access expired (LinkedIn tokens last 60 days) — reconnect to continue');
      }
      return reauthRequired('token_invalid', withDetail('LinkedIn no longer accepts this connection — reconnect to continue', body));
    }
    if (response.status === 422 && /duplicate/i.test(message)) return invalid('LinkedIn rejected this post as a duplicate of a recent one; change the text');
    if (response.status === 403) {
      return reauthRequired('permission_missing', withDetail('LinkedIn says this connection may not do that (missing permission or Page role) — reconnect and grant it', body));
    }
    return classifyByStatus(response, { platformName: name, now, canRefresh });
  };

  const tokenCall = (form: Record<string, string>, call: 'code' | 'refresh') =>
    http.json(
      { method: 'POST', url: `${OAUTH}/accessToken`, form: { ...form, client_id: client.clientId, client_secret: client.clientSecret } },
      { schema: oauthTokenSchema, classify: (r) => classifyTokenError(http, r, call), what: call === 'code' ? 'the sign-in' : 'the token refresh' },
    );

  const memberUrn = (id: string) => `urn:li:person:${id}`;
  const canRefresh = (credentials: Pick<Credentials, 'refreshToken'>) => Boolean(credentials.refreshToken);

  return {
    id: 'linkedin',
    displayName: name,
    connect: 'oauth',
    usesPkce: false,
    hasTargetChoice: true,

    // Introspection checks a live token; partner refresh tokens end 365 days after consent whatever renews them.
    tokenPolicy: (credentials) => (credentials.refreshToken ? { renewal: 'refresh', refreshEnd: 'fixed', check: 'inspect' } : { renewal: 'none', check: 'inspect' }),
    postRules: () => RULES,
    validatePost(post) {
      const problems = checkPost(name, RULES, post);
      if (post.imageUrl) problems.push('Tether cannot attach images to LinkedIn posts yet; remove the image to post text only');
      return problems;
    },

    authorizationUrl: ({ state, redirectUri }) =>
      buildUrl(http, `${OAUTH}/authorization`, {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: redirectUri,
        state,
        scope: LINKEDIN_SCOPES.join(' '),
      }),

    async exchangeCode({ code, redirectUri }) {
      const result = await tokenCall({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, 'code');
      return result.kind === 'ok' ? ok(issuedFromOAuth(result.value, /[\s,]+/)) : result;
    },

    async identity(tokens) {
      const result = await http.json(
        { method: 'GET', url: `${API}/v2/userinfo`, bearer: tokens.accessToken },
        { schema: userinfoSchema, classify: (r) => classifyApi(r, Boolean(tokens.refreshToken)), what: 'the profile request' },
      );
      if (result.kind !== 'ok') return result;
      const me = result.value;
      const displayName = me.name ?? me.email ?? me.sub;
      return ok({ externalId: me.sub, handle: displayName, displayName, avatarUrl: me.picture, meta: { authorUrn: memberUrn(me.sub) } });
    },

    async listTargets(tokens, identity) {
      const classify = (r: HttpResponse) => classifyApi(r, Boolean(tokens.refreshToken));
      const profile: Target = { ...identity, kind: 'profile', meta: { authorUrn: memberUrn(identity.externalId) } };
      const acls = await http.json(
        {
          method: 'GET',
          url: `${API}/rest/organizationAcls`,
          query: { q: 'roleAssignee', role: 'ADMINISTRATOR', state: 'APPROVED' },
          headers: REST_HEADERS,
          bearer: tokens.accessToken,
        },
        { schema: aclsSchema, classify, what: 'the list of organizations' },
      );
      if (acls.kind !== 'ok') return acls;
      const targets: Target[] = [profile];
      const seen = new Set<string>();
      for (const acl of acls.value.elements) {
        const orgId = acl.organization.split(':').pop() ?? '';
        if (!orgId || seen.has(orgId)) continue;
        seen.add(orgId);
        const org = await http.json(
          { method: 'GET', url: `${API}/rest/organizations/${encodeURIComponent(orgId)}`, headers: REST_HEADERS, bearer: tokens.accessToken },
          { schema: organizationSchema, classify, what: 'the organization lookup' },
        );
        if (org.kind !== 'ok') return org;
        const displayName = org.value.localizedName ?? org.value.vanityName ?? `Organization ${orgId}`;
        targets.push({
          kind: 'organization',
          externalId: orgId,
          handle: org.value.vanityName ?? displayName,
          displayName,
          meta: { authorUrn: `urn:li:organization:${orgId}`, memberId: identity.externalId },
        });
      }
      return ok(targets);
    },

    async refresh(_account, credentials) {
      if (!credentials.refreshToken) {
        return reauthRequired('refresh_unavailable', 'LinkedIn does not let this app renew access (tokens last 60 days) — reconnect to continue');
      }
      const result = await tokenCall({ grant_type: 'refresh_token', refresh_token: credentials.refreshToken }, 'refresh');
      if (result.kind !== 'ok') return result;
      const issued: IssuedTokens = issuedFromOAuth(result.value, /[\s,]+/);
      // LinkedIn may not repeat the refresh token; the one held stays valid until its fixed end.
      return ok({ ...issued, refreshToken: issued.refreshToken ?? credentials.refreshToken });
    },

    async validate(_account, credentials) {
      const result = await http.json(
        { method: 'POST', url: `${OAUTH}/introspectToken`, form: { client_id: client.clientId, client_secret: client.clientSecret, token: credentials.accessToken } },
        { schema: introspectSchema, classify: (r) => classifyTokenError(http, r, 'refresh'), what: 'the token check' },
      );
      if (result.kind !== 'ok') return result;
      if (result.value.active) return ok({});
      const status = result.value.status ?? '';
      if (status === 'revoked') return reauthRequired('token_revoked', 'LinkedIn says the member revoked Tether’s access — reconnect to continue');
      if (canRefresh(credentials)) return reauthRequired('access_token_expired', 'LinkedIn access token expired; Tether will refresh it');
      return reauthRequired('token_expired', 'LinkedIn access expired (LinkedIn tokens last 60 days) — reconnect to continue');
    },

    async revoke(_account, credentials) {
      const result = await http.expectSuccess(
        { method: 'POST', url: `${OAUTH}/revoke`, form: { client_id: client.clientId, client_secret: client.clientSecret, token: credentials.accessToken } },
        (r) => classifyTokenError(http, r, 'revoke'),
      );
      return result.kind === 'ok' ? ok({ revokedAtPlatform: true }) : result;
    },

    async publish(account, credentials, post) {
      const problems = checkPost(name, RULES, post);
      if (post.imageUrl) problems.push('Tether cannot attach images to LinkedIn posts yet; remove the image to post text only');
      if (problems.length > 0) return invalid(problems.join('; '));
      const author = account.meta?.authorUrn ?? memberUrn(account.externalId);
      const response = await http.send({
        method: 'POST',
        url: `${API}/rest/posts`,
        headers: REST_HEADERS,
        bearer: credentials.accessToken,
        idempotencyKey: post.idempotencyKey,
        json: {
          author,
          commentary: escapeLittleText(post.text),
          visibility: 'PUBLIC',
          distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
          lifecycleState: 'PUBLISHED',
          isReshareDisabledByAuthor: false,
        },
      });
      if (isFailure(response)) return response;
      if (response.status < 200 || response.status >= 300) return classifyApi(response, canRefresh(credentials));
      const urn = response.headers.get('x-restli-id') ?? response.headers.get('x-linkedin-id') ?? asString(asRecord(response.body)?.id);
      if (!urn) return invalid('LinkedIn accepted the post but did not say which post it created');
      return ok({ externalId: urn, url: `https://www.linkedin.com/feed/update/${urn}/` });
    },
  };
}

/** The Posts API "little text" format reserves these characters; unescaped they break or vanish. */
export function escapeLittleText(text: string): string {
  return text.replace(/[\\|{}@[\]()<>#*_~]/g, (c) => `\\${c}`);
}
