// LinkedIn: OAuth 2.0 (no PKCE for web apps), 60-day access tokens; refresh tokens only for approved
// partners (365 days from first consent, never extended). Two apps, because the Community Management
// API must be the only product on its app: member mode signs in on the OpenID + Share on LinkedIn
// app and posts as the member; organization mode signs in on the Community Management app and posts
// as an organization the member administers. Each account remembers its app (`meta.app`), so tokens
// are renewed, checked and revoked with the client that issued them whatever the current mode.

import { z } from 'zod';
import { asRecord, asString, classifyByStatus, withDetail } from './errors.js';
import type { HttpResponse } from './http.js';
import { buildUrl, classifyTokenError, codeGrant, issuedFromOAuth, oauthTokenSchema, refreshGrant, type AdapterDeps, type OAuthClient, type OAuthTokenBody, type TokenEndpoint } from './oauth.js';
import { invalid, isFailure, ok, rateLimited, reauthRequired } from './outcome.js';
import { checkPost } from './post-rules.js';
import { describeResetAt, nextMidnightUtc } from './rate-limit.js';
import { LINKEDIN_MEDIA, linkedInContent } from './linkedin-media.js';
import { DEFAULT_PROCESSING_POLL, type ProcessingPoll } from './media-upload.js';
import type { LinkedInMode } from './settings.js';
import type { AccountRef, Credentials, Failure, Identity, IssuedTokens, Outcome, PlatformAdapter, PostRules, Target } from './types.js';

const OAUTH = 'https://www.linkedin.com/oauth/v2';
const API = 'https://api.linkedin.com';
/** Scopes per app: each app may ask only for what its products grant, or LinkedIn refuses the sign-in. */
export const LINKEDIN_SCOPES: Record<LinkedInMode, string[]> = {
  member: ['openid', 'profile', 'w_member_social'],
  organization: ['r_basicprofile', 'w_organization_social', 'rw_organization_admin'],
};
const RULES: PostRules = { maxLength: 3_000, lengthUnit: 'characters', media: LINKEDIN_MEDIA, requiresBoard: false };

const userinfoSchema = z.looseObject({ sub: z.string().min(1), name: z.string().optional(), picture: z.string().optional(), email: z.string().optional() });
const meSchema = z.looseObject({ id: z.string().min(1), localizedFirstName: z.string().optional(), localizedLastName: z.string().optional(), vanityName: z.string().optional() });
const aclsSchema = z.looseObject({ elements: z.array(z.looseObject({ organization: z.string().min(1) })) });
const organizationSchema = z.looseObject({ id: z.union([z.number(), z.string()]), localizedName: z.string().optional(), vanityName: z.string().optional() });
const introspectSchema = z.looseObject({ active: z.boolean(), status: z.string().optional() });

export interface LinkedInOptions {
  /** The app is an approved partner that receives refresh tokens (informational; presence of a refresh token decides). */
  partnerRefresh: boolean;
  /** Which app new connects use. */
  mode: LinkedInMode;
  /** `LinkedIn-Version` of the versioned (/rest) API. */
  version: string;
  /** The OpenID + Share on LinkedIn app (`LINKEDIN_CLIENT_ID`). */
  memberClient?: OAuthClient;
  /** The Community Management app (`LINKEDIN_ORGANIZATION_CLIENT_ID`). */
  organizationClient?: OAuthClient;
  /** How long to wait for a video to be processed. */
  processingPoll?: ProcessingPoll;
}

const APP_SETTINGS: Record<LinkedInMode, string> = { member: 'LINKEDIN_CLIENT_ID', organization: 'LINKEDIN_ORGANIZATION_CLIENT_ID' };

export function createLinkedInAdapter({ http }: Pick<AdapterDeps, 'http'>, options: LinkedInOptions): PlatformAdapter {
  const name = 'LinkedIn';
  const clients: Record<LinkedInMode, OAuthClient | undefined> = { member: options.memberClient, organization: options.organizationClient };
  const restHeaders = { 'LinkedIn-Version': options.version, 'X-Restli-Protocol-Version': '2.0.0' };
  const appOf = (account: Pick<AccountRef, 'meta'>): LinkedInMode => (account.meta?.app === 'organization' ? 'organization' : 'member');

  /** The client of `app`, or the failure that says which setting is missing. */
  const clientFor = (app: LinkedInMode): OAuthClient | Failure =>
    clients[app] ?? invalid(`LinkedIn's ${app} app is not configured (${APP_SETTINGS[app]}); this connection was made through it`);

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
    if (response.status === 426) {
      return invalid(`LinkedIn no longer serves API version ${options.version} (${message || 'not active'}); the operator must set LINKEDIN_VERSION to a current version`);
    }
    if (response.status === 403) {
      return reauthRequired('permission_missing', withDetail('LinkedIn says this connection may not do that (missing permission or Page role) — reconnect and grant it', body));
    }
    return classifyByStatus(response, { platformName: name, now, canRefresh });
  };

  const tokensOf = (client: OAuthClient): TokenEndpoint<OAuthTokenBody> => ({
    call: (form, call) =>
      http.json(
        { method: 'POST', url: `${OAUTH}/accessToken`, form: { ...form, client_id: client.clientId, client_secret: client.clientSecret } },
        { schema: oauthTokenSchema, classify: (r) => classifyTokenError(http, r, call), what: call === 'code' ? 'the sign-in' : 'the token refresh' },
      ),
    toIssued: (body) => issuedFromOAuth(body, /[\s,]+/),
  });

  /** A call with the client of `app` (the account's, or the current mode's for a new connect). */
  const withClient = async <T>(app: LinkedInMode, call: (client: OAuthClient) => Promise<Outcome<T>>): Promise<Outcome<T>> => {
    const client = clientFor(app);
    return isFailure(client) ? client : call(client);
  };

  const memberUrn = (id: string) => `urn:li:person:${id}`;
  const canRefresh = (credentials: Pick<Credentials, 'refreshToken'>) => Boolean(credentials.refreshToken);

  const profileOf = <T>(path: string, schema: z.ZodType<T>, tokens: IssuedTokens) =>
    http.json(
      { method: 'GET', url: `${API}${path}`, bearer: tokens.accessToken },
      { schema, classify: (r) => classifyApi(r, Boolean(tokens.refreshToken)), what: 'the profile request' },
    );

  /** Member mode: who signed in, from OpenID Connect's userinfo. */
  async function memberIdentity(tokens: IssuedTokens): Promise<Outcome<Identity>> {
    const result = await profileOf('/v2/userinfo', userinfoSchema, tokens);
    if (result.kind !== 'ok') return result;
    const me = result.value;
    const displayName = me.name ?? me.email ?? me.sub;
    return ok({ externalId: me.sub, handle: displayName, displayName, avatarUrl: me.picture, meta: { authorUrn: memberUrn(me.sub), app: 'member' } });
  }

  /** Organization mode: the Community Management app has no OpenID Connect; the basic profile names the admin. */
  async function administratorIdentity(tokens: IssuedTokens): Promise<Outcome<Identity>> {
    const result = await profileOf('/v2/me', meSchema, tokens);
    if (result.kind !== 'ok') return result;
    const me = result.value;
    const displayName = [me.localizedFirstName, me.localizedLastName].filter(Boolean).join(' ') || me.vanityName || me.id;
    return ok({ externalId: me.id, handle: me.vanityName ?? displayName, displayName, meta: { authorUrn: memberUrn(me.id), app: 'organization' } });
  }

  return {
    id: 'linkedin',
    displayName: name,
    connect: 'oauth',
    usesPkce: false,
    // Member mode posts as the one member who signed in; organization mode chooses among organizations.
    hasTargetChoice: options.mode === 'organization',

    // Introspection checks a live token; partner refresh tokens end 365 days after consent whatever renews them.
    tokenPolicy: (credentials) => (credentials.refreshToken ? { renewal: 'refresh', refreshEnd: 'fixed', check: 'inspect' } : { renewal: 'none', check: 'inspect' }),
    postRules: () => RULES,
    validatePost: (post) => checkPost(name, RULES, post),

    authorizationUrl({ state, redirectUri }) {
      const client = clientFor(options.mode);
      // The registry builds this adapter only when the mode's app is configured.
      if (isFailure(client)) throw new Error(client.message);
      return buildUrl(http, `${OAUTH}/authorization`, {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: redirectUri,
        state,
        scope: LINKEDIN_SCOPES[options.mode].join(' '),
      });
    },

    exchangeCode: ({ code, redirectUri }) => withClient(options.mode, (client) => codeGrant(tokensOf(client), { code, redirect_uri: redirectUri })),

    identity: (tokens) => (options.mode === 'organization' ? administratorIdentity(tokens) : memberIdentity(tokens)),

    async listTargets(tokens, identity) {
      if (options.mode === 'member') return ok([{ ...identity, kind: 'profile' as const }]);
      const classify = (r: HttpResponse) => classifyApi(r, Boolean(tokens.refreshToken));
      const acls = await http.json(
        {
          method: 'GET',
          url: `${API}/rest/organizationAcls`,
          query: { q: 'roleAssignee', role: 'ADMINISTRATOR', state: 'APPROVED' },
          headers: restHeaders,
          bearer: tokens.accessToken,
        },
        { schema: aclsSchema, classify, what: 'the list of organizations' },
      );
      if (acls.kind !== 'ok') return acls;
      const targets: Target[] = [];
      const seen = new Set<string>();
      for (const acl of acls.value.elements) {
        const orgId = acl.organization.split(':').pop() ?? '';
        if (!orgId || seen.has(orgId)) continue;
        seen.add(orgId);
        const org = await http.json(
          { method: 'GET', url: `${API}/rest/organizations/${encodeURIComponent(orgId)}`, headers: restHeaders, bearer: tokens.accessToken },
          { schema: organizationSchema, classify, what: 'the organization lookup' },
        );
        if (org.kind !== 'ok') return org;
        const displayName = org.value.localizedName ?? org.value.vanityName ?? `Organization ${orgId}`;
        targets.push({
          kind: 'organization',
          externalId: orgId,
          handle: org.value.vanityName ?? displayName,
          displayName,
          meta: { authorUrn: `urn:li:organization:${orgId}`, memberId: identity.externalId, app: 'organization' },
        });
      }
      return ok(targets);
    },

    async refresh(account, credentials) {
      const missing = 'LinkedIn does not let this app renew access (tokens last 60 days) — reconnect to continue';
      const result = await withClient(appOf(account), (client) => refreshGrant(tokensOf(client), credentials.refreshToken, missing));
      // LinkedIn may not repeat the refresh token; the one held stays valid until its fixed end.
      return result.kind === 'ok' ? ok({ ...result.value, refreshToken: result.value.refreshToken ?? credentials.refreshToken }) : result;
    },

    async validate(account, credentials) {
      const result = await withClient(appOf(account), (client) =>
        http.json(
          { method: 'POST', url: `${OAUTH}/introspectToken`, form: { client_id: client.clientId, client_secret: client.clientSecret, token: credentials.accessToken } },
          { schema: introspectSchema, classify: (r) => classifyTokenError(http, r, 'refresh'), what: 'the token check' },
        ),
      );
      if (result.kind !== 'ok') return result;
      if (result.value.active) return ok({});
      const status = result.value.status ?? '';
      if (status === 'revoked') return reauthRequired('token_revoked', 'LinkedIn says the member revoked Tether’s access — reconnect to continue');
      if (canRefresh(credentials)) return reauthRequired('access_token_expired', 'LinkedIn access token expired; Tether will refresh it');
      return reauthRequired('token_expired', 'LinkedIn access expired (LinkedIn tokens last 60 days) — reconnect to continue');
    },

    async revoke(account, credentials) {
      const result = await withClient(appOf(account), (client) =>
        http.expectSuccess(
          { method: 'POST', url: `${OAUTH}/revoke`, form: { client_id: client.clientId, client_secret: client.clientSecret, token: credentials.accessToken } },
          (r) => classifyTokenError(http, r, 'revoke'),
        ),
      );
      return result.kind === 'ok' ? ok({ revokedAtPlatform: true }) : result;
    },

    async publish(account, credentials, post) {
      const problems = checkPost(name, RULES, post);
      if (problems.length > 0) return invalid(problems.join('; '));
      const author = account.meta?.authorUrn ?? memberUrn(account.externalId);
      const content = await linkedInContent(
        {
          http,
          classify: (r) => classifyApi(r, canRefresh(credentials)),
          headers: restHeaders,
          accessToken: credentials.accessToken,
          owner: author,
          poll: options.processingPoll ?? DEFAULT_PROCESSING_POLL,
        },
        post,
      );
      if (content.kind !== 'ok') return content;
      const response = await http.send({
        method: 'POST',
        url: `${API}/rest/posts`,
        headers: restHeaders,
        bearer: credentials.accessToken,
        idempotencyKey: post.idempotencyKey,
        json: {
          author,
          commentary: escapeLittleText(post.text),
          visibility: 'PUBLIC',
          distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
          lifecycleState: 'PUBLISHED',
          isReshareDisabledByAuthor: false,
          ...(content.value ? { content: content.value } : {}),
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
