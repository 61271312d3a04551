// LinkedIn: OAuth 2.0 (refresh tokens only for partners), OIDC userinfo, organization ACLs, Posts API.

import { createHmac } from 'node:crypto';
import type { Request, Response } from 'express';
import type { PlatformContext } from '../core/context.js';
import { mountConsent } from '../core/consent.js';
import { authenticate, baseUrl, body, field, handler, idempotencyKey, queryParam, type PlatformErrors, pathParam } from '../core/http.js';
import type { Grant } from '../core/model.js';
import { issueAccess, issueRefresh, redeemCode, redeemRefresh, tokenEndpointGate } from '../core/oauth.js';
import { linkedinVersionLife, linkedinVersionReleasedAt } from '../../platforms/api-versions.js';
import type { Authenticated } from '../core/http.js';
import { linkedInPostMedia, mountLinkedInMedia } from './linkedin-media.js';
import { mountPostPage, numericId, publish } from '../core/publish.js';
import { lifetime } from '../core/settings.js';
import type { SandboxState } from '../core/state.js';

function restError(res: Response, status: number, code: string, message: string, serviceErrorCode?: number): void {
  res.status(status).json({ status, ...(serviceErrorCode !== undefined ? { serviceErrorCode } : {}), code, message });
}

export const linkedinErrors: PlatformErrors = {
  unauthorized: (res, reason) => {
    if (reason === 'missing') restError(res, 401, 'EMPTY_ACCESS_TOKEN', 'Empty oauth2 access token', 65604);
    else if (reason === 'expired') restError(res, 401, 'EXPIRED_ACCESS_TOKEN', 'The token used in the request has expired', 65602);
    else if (reason === 'invalid' || reason === 'used') restError(res, 401, 'INVALID_ACCESS_TOKEN', 'Invalid access token', 65600);
    else restError(res, 401, 'REVOKED_ACCESS_TOKEN', 'The token used in the request has been revoked by the user', 65601);
  },
  serverError: (res, status = 500) => res.status(status).json({ message: status === 503 ? 'Service Unavailable' : 'Internal Server Error', status }),
  rateLimited: (res) => restError(res, 429, 'TOO_MANY_REQUESTS', 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.', 101),
  badRequest: (res, message) => restError(res, 400, 'ILLEGAL_ARGUMENT', message),
  notFound: (res) => restError(res, 404, 'NOT_FOUND', 'No virtual resource found', 0),
};
const errors = () => linkedinErrors;

/**
 * What each of the two apps may ask for, by product. Sign In with LinkedIn (OpenID Connect) and Share
 * on LinkedIn live on one app; the Community Management API must be the only product on its app.
 */
const MEMBER_APP_SCOPES = ['openid', 'profile', 'email', 'w_member_social'];
const ORGANIZATION_APP_SCOPES = ['r_basicprofile', 'r_organization_admin', 'rw_organization_admin', 'w_organization_social', 'r_organization_social', 'w_member_social'];

function appScopes(state: SandboxState, clientId: string): string[] {
  return clientId === state.linkedinOrganizationClient.clientId ? ORGANIZATION_APP_SCOPES : MEMBER_APP_SCOPES;
}

/** 403 unless the token carries one of `anyOf` (LinkedIn's "Not enough permissions" body). */
function permitted(auth: Authenticated, res: Response, anyOf: string[], resource: string): boolean {
  if (anyOf.some((scope) => auth.grant.scopes.includes(scope))) return true;
  restError(res, 403, 'ACCESS_DENIED', `Not enough permissions to access: ${resource}`, 100);
  return false;
}

function oauthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: description });
}

function idToken(state: SandboxState, grant: Grant, base: string): string {
  const identity = state.identity('linkedin', grant.userId);
  const now = state.clock.nowSec();
  const enc = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = enc({ alg: 'HS256', typ: 'JWT' });
  const payload = enc({
    iss: 'https://www.linkedin.com/oauth',
    aud: grant.clientId,
    iat: now,
    exp: now + 3600,
    sub: grant.userId,
    name: identity?.displayName,
    email: identity?.email,
    email_verified: true,
    picture: identity ? `${base}${identity.avatarPath}` : undefined,
  });
  const signature = createHmac('sha256', state.clients.linkedin.clientSecret).update(`${head}.${payload}`).digest('base64url');
  return `${head}.${payload}.${signature}`;
}

export function mountLinkedIn({ state, hosts }: PlatformContext): void {
  const web = hosts.router('www.linkedin.com', linkedinErrors);
  const api = hosts.router('api.linkedin.com', linkedinErrors);

  mountConsent(web, '/oauth/v2/authorization', state, {
    platforms: ['linkedin'],
    pkce: 'optional',
    denyParams: { error: 'user_cancelled_authorize', error_description: 'The user cancelled the authorization' },
    offline: () => state.settings.linkedinPartnerRefresh,
    // A scope the app's products do not grant refuses the whole sign-in.
    scopesFor: ({ clientId, requested }) => {
      const missing = requested.find((scope) => !appScopes(state, clientId).includes(scope));
      return missing
        ? { ok: false, redirect: { error: 'unauthorized_scope_error', error_description: `Scope "${missing}" is not authorized for your application` } }
        : { ok: true, scopes: requested };
    },
  });
  mountPostPage(web, '/feed/update/:urn', state, 'linkedin', (p) => p.urn ?? '');
  mountPostPage(web, '/feed/update/:urn/', state, 'linkedin', (p) => p.urn ?? '');

  const clientOk = (req: Request, res: Response): boolean => {
    const app = state.appsOf('linkedin').find((candidate) => candidate.clientId === field(req, 'client_id'));
    if (!app || field(req, 'client_secret') !== app.clientSecret) {
      oauthError(res, 401, 'invalid_client', 'Client authentication failed');
      return false;
    }
    return true;
  };

  const tokenBody = (req: Request, grant: Grant, refreshValue: string | undefined) => {
    const access = issueAccess(state, grant);
    const refresh = refreshValue ? state.tokens.find(refreshValue) : undefined;
    return {
      access_token: access.value,
      expires_in: state.tokens.remainingSec(access),
      ...(refresh ? { refresh_token: refresh.value, refresh_token_expires_in: state.tokens.remainingSec(refresh) } : {}),
      scope: grant.scopes.join(','),
      token_type: 'Bearer',
      ...(grant.scopes.includes('openid') ? { id_token: idToken(state, grant, baseUrl(state, req)) } : {}),
    };
  };

  web.post(
    '/oauth/v2/accessToken',
    handler(linkedinErrors, async (req, res) => {
      if (tokenEndpointGate(state, 'linkedin', linkedinErrors, res)) return;
      const grantType = field(req, 'grant_type');
      if (!grantType) {
        oauthError(res, 400, 'invalid_request', 'A required parameter "grant_type" is missing');
        return;
      }
      if (!clientOk(req, res)) return;
      if (grantType === 'authorization_code') {
        const code = await redeemCode(state, req, res, {
          platforms: ['linkedin'],
          errors,
          code: field(req, 'code'),
          clientId: field(req, 'client_id'),
          redirectUri: field(req, 'redirect_uri'),
          codeVerifier: field(req, 'code_verifier'),
          onProblem: () =>
            oauthError(
              res,
              400,
              'invalid_request',
              'Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists',
            ),
        });
        if (!code) return;
        const refreshSec = lifetime(state.settings, 'linkedin', 'refreshTokenSec') ?? 365 * 86_400;
        const grant = state.tokens.createGrant({
          platform: 'linkedin',
          clientId: code.clientId,
          userId: code.userId,
          scopes: code.scopes,
          offline: code.offline,
          refreshExpiresAt: code.offline ? state.clock.now() + refreshSec * 1000 : undefined,
        });
        // The refresh token's deadline is fixed at the first consent and never moves.
        const refresh = grant.offline ? issueRefresh(state, grant, { lifetimeSec: refreshSec }) : undefined;
        res.json(tokenBody(req, grant, refresh?.value));
      } else if (grantType === 'refresh_token') {
        if (!state.settings.linkedinPartnerRefresh) {
          oauthError(res, 400, 'unauthorized_client', 'The client is not authorized to use the refresh_token grant type');
          return;
        }
        const value = field(req, 'refresh_token');
        const refreshed = await redeemRefresh(state, req, res, {
          platforms: ['linkedin'],
          errors,
          value,
          clientId: field(req, 'client_id'),
          rotate: false,
          onProblem: () => oauthError(res, 400, 'invalid_grant', 'Token has been expired or revoked.'),
        });
        if (refreshed) res.json(tokenBody(req, refreshed.grant, value));
      } else {
        oauthError(res, 400, 'unsupported_grant_type', `Unsupported grant_type: ${grantType}`);
      }
    }),
  );

  web.post(
    '/oauth/v2/revoke',
    handler(linkedinErrors, (req, res) => {
      if (!clientOk(req, res)) return;
      const token = state.tokens.find(field(req, 'token'));
      if (token?.platform === 'linkedin') state.tokens.revokeGrant(state.tokens.grant(token), 'revoked');
      res.status(200).end();
    }),
  );

  web.post(
    '/oauth/v2/introspectToken',
    handler(linkedinErrors, (req, res) => {
      if (!clientOk(req, res)) return;
      const token = state.tokens.find(field(req, 'token'));
      if (!token || token.platform !== 'linkedin' || state.tokens.status(token) !== 'ok') {
        res.json({ active: false });
        return;
      }
      const grant = state.tokens.grant(token);
      res.json({
        active: true,
        client_id: grant.clientId,
        authorized_at: Math.floor(grant.createdAt / 1000),
        created_at: Math.floor(token.issuedAt / 1000),
        status: 'active',
        expires_at: token.expiresAt === undefined ? undefined : Math.floor(token.expiresAt / 1000),
        scope: grant.scopes.join(','),
        auth_type: '3L',
      });
    }),
  );

  api.get(
    '/v2/userinfo',
    handler(linkedinErrors, async (req, res) => {
      const auth = await authenticate(state, req, res, { platforms: ['linkedin'], errors });
      if (!auth) return;
      if (!permitted(auth, res, ['openid'], 'userinfo.GET.NO_VERSION')) return;
      const { identity } = auth;
      const [given, ...family] = identity.displayName.split(' ');
      res.json({
        sub: identity.id,
        email_verified: true,
        name: identity.displayName,
        locale: { country: 'US', language: 'en' },
        given_name: given,
        family_name: family.join(' '),
        email: identity.email,
        picture: `${baseUrl(state, req)}${identity.avatarPath}`,
      });
    }),
  );

  api.get(
    '/v2/me',
    handler(linkedinErrors, async (req, res) => {
      const auth = await authenticate(state, req, res, { platforms: ['linkedin'], errors });
      if (!auth) return;
      if (!permitted(auth, res, ['r_basicprofile', 'r_liteprofile'], 'me.GET.NO_VERSION')) return;
      const [given = '', ...family] = auth.identity.displayName.split(' ');
      const locale = { country: 'US', language: 'en' };
      res.json({
        id: auth.identity.id,
        localizedFirstName: given,
        localizedLastName: family.join(' '),
        firstName: { localized: { en_US: given }, preferredLocale: locale },
        lastName: { localized: { en_US: family.join(' ') }, preferredLocale: locale },
        vanityName: auth.identity.handle,
      });
    }),
  );

  /** /rest needs a LinkedIn-Version header (YYYYMM) that LinkedIn still serves: retired or unreleased versions get 426. */
  const versioned = (req: Request, res: Response): boolean => {
    if (!req.baseUrl.endsWith('api.linkedin.com') || !req.path.startsWith('/rest/')) return true;
    const version = req.get('linkedin-version');
    if (!version) {
      restError(res, 400, 'VERSION_MISSING', 'A version must be present. Please specify a version by adding the LinkedIn-Version header.');
      return false;
    }
    const now = state.clock.now();
    const releasedAt = linkedinVersionReleasedAt(version);
    const endsAt = linkedinVersionLife(version)?.endsAt;
    if (!releasedAt || !endsAt || releasedAt.getTime() > now || endsAt.getTime() <= now) {
      restError(res, 426, 'NONEXISTENT_VERSION', `Requested version ${version} is not active`);
      return false;
    }
    return true;
  };

  const organization = (org: { id: string; name: string; vanityName: string }) => ({
    id: Number(org.id),
    localizedName: org.name,
    vanityName: org.vanityName,
    name: { localized: { en_US: org.name }, preferredLocale: { country: 'US', language: 'en' } },
  });

  for (const prefix of ['/rest', '/v2']) {
    api.get(
      `${prefix}/organizationAcls`,
      handler(linkedinErrors, async (req, res) => {
        if (!versioned(req, res)) return;
        const auth = await authenticate(state, req, res, { platforms: ['linkedin'], errors });
        if (!auth) return;
        if (!permitted(auth, res, ['rw_organization_admin', 'r_organization_admin'], 'organizationAcls.FINDER-roleAssignee')) return;
        if (queryParam(req, 'q') !== 'roleAssignee') {
          linkedinErrors.badRequest(res, 'Parameter q must be roleAssignee');
          return;
        }
        const role = queryParam(req, 'role');
        const wantState = queryParam(req, 'state');
        const decorate = (queryParam(req, 'projection') ?? '').includes('organization~');
        const orgs = role && role !== 'ADMINISTRATOR' ? [] : wantState && wantState !== 'APPROVED' ? [] : (auth.identity.organizations ?? []);
        res.json({
          paging: { count: 10, start: 0, links: [] },
          elements: orgs.map((org) => ({
            roleAssignee: `urn:li:person:${auth.identity.id}`,
            state: 'APPROVED',
            role: 'ADMINISTRATOR',
            organization: `urn:li:organization:${org.id}`,
            ...(decorate ? { 'organization~': organization(org) } : {}),
          })),
        });
      }),
    );

    api.get(
      `${prefix}/organizations/:id`,
      handler(linkedinErrors, async (req, res) => {
        if (!versioned(req, res)) return;
        const auth = await authenticate(state, req, res, { platforms: ['linkedin'], errors });
        if (!auth) return;
        if (!permitted(auth, res, ['rw_organization_admin', 'r_organization_admin'], 'organizations.GET')) return;
        const org = state.identitiesOf('linkedin').flatMap((i) => i.organizations ?? []).find((o) => o.id === pathParam(req, 'id'));
        if (!org) linkedinErrors.notFound(res, req);
        else res.json(organization(org));
      }),
    );

    api.get(
      `${prefix}/organizations`,
      handler(linkedinErrors, async (req, res) => {
        if (!versioned(req, res)) return;
        const auth = await authenticate(state, req, res, { platforms: ['linkedin'], errors });
        if (!auth) return;
        const ids = /^List\((.*)\)$/.exec(queryParam(req, 'ids') ?? '')?.[1]?.split(',').map((s) => s.trim()) ?? [];
        const all = state.identitiesOf('linkedin').flatMap((i) => i.organizations ?? []);
        const results: Record<string, unknown> = {};
        const statuses: Record<string, number> = {};
        for (const id of ids) {
          const org = all.find((o) => o.id === id);
          if (org) results[id] = organization(org);
          statuses[id] = org ? 200 : 404;
        }
        res.json({ results, statuses, errors: {} });
      }),
    );
  }

  mountLinkedInMedia(api, web, state, linkedinErrors, versioned);

  api.post(
    '/rest/posts',
    handler(linkedinErrors, async (req, res) => {
      if (!versioned(req, res)) return;
      const auth = await authenticate(state, req, res, { platforms: ['linkedin'], errors });
      if (!auth) return;
      const input = body(req);
      const author = typeof input.author === 'string' ? input.author : '';
      const commentary = typeof input.commentary === 'string' ? input.commentary : '';
      const personUrn = `urn:li:person:${auth.identity.id}`;
      const org = auth.identity.organizations?.find((o) => author === `urn:li:organization:${o.id}`);
      if (!author) {
        restError(res, 422, 'UNPROCESSABLE_ENTITY', 'ERROR :: /author :: field is required but not found and has no default value');
        return;
      }
      const resource = `partnerApiPostsExternal.CREATE.${req.get('linkedin-version') ?? ''}`;
      if (author !== personUrn && !org) {
        restError(res, 403, 'ACCESS_DENIED', `Not enough permissions to access: ${resource}`, 100);
        return;
      }
      if (!permitted(auth, res, [org ? 'w_organization_social' : 'w_member_social'], resource)) return;
      if (input.lifecycleState !== undefined && input.lifecycleState !== 'PUBLISHED') {
        restError(res, 422, 'UNPROCESSABLE_ENTITY', 'ERROR :: /lifecycleState :: only PUBLISHED is supported by the sandbox');
        return;
      }
      if (commentary.length > 3000) {
        restError(res, 422, 'UNPROCESSABLE_ENTITY', 'ERROR :: /commentary :: length of 3000 exceeded');
        return;
      }
      const content = input.content as (Parameters<typeof linkedInPostMedia>[2] & { article?: { source?: unknown } }) | undefined;
      const attached = linkedInPostMedia(state, author, content);
      if (!attached.ok) {
        restError(res, 422, 'UNPROCESSABLE_ENTITY', attached.message);
        return;
      }
      const article = typeof content?.article?.source === 'string' ? content.article.source : undefined;
      const result = publish(state, {
        platform: 'linkedin',
        authorId: org?.id ?? auth.identity.id,
        authorHandle: org?.vanityName ?? auth.identity.handle,
        text: article ? `${commentary}\n${article}`.trim() : commentary,
        imageUrls: attached.images.map((image) => image.media.path),
        imageAlts: attached.images.map((image) => image.alt),
        videoUrl: attached.video?.path,
        idempotencyKey: idempotencyKey(req),
        rejectDuplicateContent: true,
        makeId: () => `urn:li:share:7${numericId(18)}`,
        makePath: (id) => `/www.linkedin.com/feed/update/${id}/`,
      });
      if (result.kind === 'duplicateContent') {
        restError(res, 422, 'DUPLICATE_POST', `Content is a duplicate of ${result.post.id}`);
        return;
      }
      res.status(201).set({ 'x-restli-id': result.post.id, 'x-linkedin-id': result.post.id }).end();
    }),
  );
}
