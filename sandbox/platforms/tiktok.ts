// TikTok: Login Kit v2 (client_key, rotating refresh tokens), user info, Content Posting API.

import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { PlatformContext } from '../core/context.js';
import { mountConsent } from '../core/consent.js';
import { authenticate, baseUrl, field, handler, queryParam, type PlatformErrors } from '../core/http.js';
import type { Grant, SandboxIdentity } from '../core/model.js';
import { issueAccess, issueRefresh, redeemCode, redeemRefresh, tokenEndpointGate } from '../core/oauth.js';
import { mountPostPage } from '../core/publish.js';
import { mountTikTokPublishing } from './tiktok-publish.js';

const logId = () => `2026${randomBytes(12).toString('hex').toUpperCase()}`;

function apiError(res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.status(status).set(headers).json({ data: {}, error: { code, message, log_id: logId() } });
}

function ok(res: Response, data: unknown): void {
  res.json({ data, error: { code: 'ok', message: '', log_id: logId() } });
}

export const tiktokErrors: PlatformErrors = {
  unauthorized: (res) => apiError(res, 401, 'access_token_invalid', 'The access token is invalid or not found in the request.'),
  serverError: (res, status = 500) => apiError(res, status, 'internal_error', 'Something went wrong. Please try again later.'),
  rateLimited: (res, resetAt, now) =>
    apiError(res, 429, 'rate_limit_exceeded', 'The API rate limit was exceeded. Please try again later.', {
      'retry-after': String(Math.max(1, Math.ceil((resetAt - now) / 1000))),
    }),
  badRequest: (res, message) => apiError(res, 400, 'invalid_params', message),
  notFound: (res) => apiError(res, 404, 'invalid_params', 'The requested resource does not exist.'),
};
const errors = () => tiktokErrors;

function oauthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: description, log_id: logId() });
}

/** What creator_info offers: a public account can post to everyone, a private one to its followers at most. */
const privacyOptions = (identity: SandboxIdentity) =>
  identity.privateAccount ? ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'] : ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'];

/** The scope each user-info field needs (Get User Info reference; username moved to user.info.profile in 2024). */
const FIELD_SCOPES: Record<string, string> = {
  open_id: 'user.info.basic',
  union_id: 'user.info.basic',
  avatar_url: 'user.info.basic',
  avatar_url_100: 'user.info.basic',
  avatar_large_url: 'user.info.basic',
  display_name: 'user.info.basic',
  bio_description: 'user.info.profile',
  profile_deep_link: 'user.info.profile',
  is_verified: 'user.info.profile',
  username: 'user.info.profile',
  follower_count: 'user.info.stats',
  following_count: 'user.info.stats',
  likes_count: 'user.info.stats',
  video_count: 'user.info.stats',
};

const scopeNotAuthorized = (res: Response) =>
  apiError(res, 401, 'scope_not_authorized', 'The user did not authorize the scope required for completing this request.');

export function mountTikTok({ state, hosts }: PlatformContext): void {
  const web = hosts.router('www.tiktok.com', tiktokErrors);
  const api = hosts.router('open.tiktokapis.com', tiktokErrors);
  const client = state.clients.tiktok;

  mountConsent(web, '/v2/auth/authorize/', state, {
    platforms: ['tiktok'],
    clientIdParam: 'client_key',
    scopeSeparator: /[\s,]+/,
    pkce: 'optional',
    denyParams: { error: 'access_denied', error_description: 'The user denied the authorization request.' },
    offline: () => true,
  });
  mountPostPage(web, '/@:handle/photo/:id', state, 'tiktok', (p) => p.id ?? '');
  mountPostPage(web, '/@:handle/video/:id', state, 'tiktok', (p) => p.id ?? '');

  const tokenBody = (grant: Grant) => {
    const access = issueAccess(state, grant);
    const refresh = issueRefresh(state, grant);
    return {
      access_token: access.value,
      expires_in: state.tokens.remainingSec(access),
      open_id: grant.userId,
      refresh_expires_in: state.tokens.remainingSec(refresh),
      refresh_token: refresh.value,
      scope: grant.scopes.join(','),
      token_type: 'Bearer',
    };
  };

  const clientOk = (req: Request, res: Response): boolean => {
    if (field(req, 'client_key') !== client.clientId || field(req, 'client_secret') !== client.clientSecret) {
      oauthError(res, 401, 'invalid_client', 'Client key or secret is invalid.');
      return false;
    }
    return true;
  };

  api.post(
    '/v2/oauth/token/',
    handler(tiktokErrors, async (req, res) => {
      if (tokenEndpointGate(state, 'tiktok', tiktokErrors, res)) return;
      if (!clientOk(req, res)) return;
      const grantType = field(req, 'grant_type');
      if (grantType === 'authorization_code') {
        const code = await redeemCode(state, req, res, {
          platforms: ['tiktok'],
          errors,
          code: field(req, 'code'),
          clientId: field(req, 'client_key'),
          redirectUri: field(req, 'redirect_uri'),
          codeVerifier: field(req, 'code_verifier'),
          onProblem: (problem) =>
            oauthError(res, 400, 'invalid_grant', problem === 'expired' ? 'Authorization code is expired.' : 'Authorization code is invalid.'),
        });
        if (!code) return;
        res.json(tokenBody(state.tokens.createGrant({ platform: 'tiktok', clientId: code.clientId, userId: code.userId, scopes: code.scopes, offline: true })));
      } else if (grantType === 'refresh_token') {
        const refreshed = await redeemRefresh(state, req, res, {
          platforms: ['tiktok'],
          errors,
          value: field(req, 'refresh_token'),
          rotate: true,
          onProblem: (problem) =>
            oauthError(res, 400, 'invalid_grant', problem === 'expired' ? 'Refresh token is expired.' : 'Refresh token is invalid or expired.'),
        });
        if (refreshed) res.json(tokenBody(refreshed.grant));
      } else {
        oauthError(res, 400, 'invalid_request', 'The request parameters are malformed.');
      }
    }),
  );

  api.post(
    '/v2/oauth/revoke/',
    handler(tiktokErrors, (req, res) => {
      if (!clientOk(req, res)) return;
      const token = state.tokens.find(field(req, 'token'));
      if (token?.platform === 'tiktok') state.tokens.revokeGrant(state.tokens.grant(token), 'revoked');
      res.json({});
    }),
  );

  const auth = (req: Request, res: Response) => authenticate(state, req, res, { platforms: ['tiktok'], errors });

  api.get(
    '/v2/user/info/',
    handler(tiktokErrors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      const fields = new Set((queryParam(req, 'fields') ?? 'open_id').split(',').map((f) => f.trim()));
      // A field the token's scopes do not cover fails the whole request.
      if ([...fields].some((f) => FIELD_SCOPES[f] !== undefined && !a.grant.scopes.includes(FIELD_SCOPES[f]!))) {
        scopeNotAuthorized(res);
        return;
      }
      const avatar = `${baseUrl(state, req)}${a.identity.avatarPath}`;
      const all: Record<string, unknown> = {
        open_id: a.identity.id,
        union_id: `union-${a.identity.id}`,
        avatar_url: avatar,
        avatar_url_100: avatar,
        avatar_large_url: avatar,
        display_name: a.identity.displayName,
        username: a.identity.handle,
        bio_description: 'Sandbox TikTok creator',
        is_verified: false,
        follower_count: 10,
        following_count: 5,
        likes_count: 42,
        video_count: state.posts.posts.filter((p) => p.platform === 'tiktok' && p.authorId === a.identity.id).length,
        profile_deep_link: `${baseUrl(state, req)}/www.tiktok.com/@${a.identity.handle}`,
      };
      ok(res, { user: Object.fromEntries(Object.entries(all).filter(([key]) => fields.has(key))) });
    }),
  );

  api.post(
    '/v2/post/publish/creator_info/query/',
    handler(tiktokErrors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      if (!a.grant.scopes.includes('video.publish')) {
        scopeNotAuthorized(res);
        return;
      }
      ok(res, {
        creator_avatar_url: `${baseUrl(state, req)}${a.identity.avatarPath}`,
        creator_username: a.identity.handle,
        creator_nickname: a.identity.displayName,
        privacy_level_options: privacyOptions(a.identity),
        comment_disabled: false,
        duet_disabled: false,
        stitch_disabled: false,
        max_video_post_duration_sec: 600,
      });
    }),
  );

  mountTikTokPublishing({
    api,
    upload: hosts.router('open-upload.tiktokapis.com', tiktokErrors),
    state,
    errors: tiktokErrors,
    auth,
    ok,
    apiError,
    privacyOptions,
  });
}
