// TikTok Login Kit v2 + Content Posting API. Rotating refresh tokens; token-endpoint errors can come
// back with HTTP 200, API errors always carry {"error":{"code","message","log_id"}} ("ok" on success).
// Tether can publish photo posts (pulled from an image URL); text-only posts do not exist on TikTok.

import { z } from 'zod';
import { asRecord, asString, classifyByStatus, oauthError } from './errors.js';
import type { HttpResponse } from './http.js';
import { buildUrl, classifyTokenError, positive, seconds, type AdapterDeps } from './oauth.js';
import { invalid, ok, rateLimited, reauthRequired, transient } from './outcome.js';
import { checkPost } from './post-rules.js';
import { describeResetAt, secondsFromNow } from './rate-limit.js';
import type { Failure, IssuedTokens, PlatformAdapter, PostInput, PostRules } from './types.js';

const AUTHORIZE_URL = 'https://www.tiktok.com/v2/auth/authorize/';
const API = 'https://open.tiktokapis.com/v2';
/** `user.info.profile` covers `username` (the handle in post URLs); `user.info.basic` alone does not. */
export const TIKTOK_SCOPES = ['user.info.basic', 'user.info.profile', 'video.publish', 'video.upload'];
const BASIC_FIELDS = 'open_id,union_id,avatar_url,display_name';
const RULES: PostRules = { maxLength: 2_200, lengthUnit: 'characters', requiresImage: true, requiresBoard: false };

const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).nullish(),
  expires_in: seconds,
  refresh_expires_in: seconds,
  open_id: z.string().optional(),
  scope: z.string().nullish(),
});
const userSchema = z.looseObject({
  data: z.looseObject({
    user: z.looseObject({
      open_id: z.string().min(1),
      username: z.string().optional(),
      display_name: z.string().optional(),
      avatar_url: z.string().optional(),
    }),
  }),
});
const creatorSchema = z.looseObject({ data: z.looseObject({ privacy_level_options: z.array(z.string()).optional() }) });
const publishSchema = z.looseObject({ data: z.looseObject({ publish_id: z.string().min(1) }) });

function apiErrorCode(body: unknown): string | undefined {
  return asString(asRecord(asRecord(body)?.error)?.code);
}

export function createTikTokAdapter({ http, client }: AdapterDeps): PlatformAdapter {
  const name = 'TikTok';

  const validate = (post: Omit<PostInput, 'idempotencyKey'>): string[] => {
    if (post.imageUrl) return checkPost(name, RULES, post, 'description');
    return ['TikTok has no text-only posts; add an image to publish it as a photo post', ...checkPost(name, { ...RULES, requiresImage: false }, post, 'description')];
  };

  const classifyApi = (response: HttpResponse): Failure => {
    const code = apiErrorCode(response.body) ?? '';
    const message = asString(asRecord(asRecord(response.body)?.error)?.message);
    const said = message ? ` (${message.replace(/\.$/, '')})` : '';
    const now = http.now();
    switch (code) {
      case 'access_token_invalid':
        return reauthRequired('access_token_rejected', 'TikTok refused the access token; Tether will refresh it and retry');
      case 'scope_not_authorized':
      case 'scope_permission_missed':
        return reauthRequired('permission_missing', 'TikTok says Tether is missing a permission — reconnect and grant it');
      case 'rate_limit_exceeded': {
        const resetAt = secondsFromNow(now, 60);
        return rateLimited(resetAt, `TikTok is rate-limiting until ${describeResetAt(resetAt, now)}`);
      }
      case 'spam_risk_too_many_posts':
      case 'spam_risk_user_banned_from_posting': {
        const resetAt = secondsFromNow(now, 24 * 3600);
        return rateLimited(resetAt, `TikTok has paused posting from this account for now${said}; Tether will try again after ${describeResetAt(resetAt, now)}`);
      }
      case 'internal_error':
        return transient(`TikTok had an internal error${said}; Tether will retry`);
      case 'unaudited_client_can_only_post_to_private_accounts':
        return invalid('TikTok only lets this (unaudited) app post to private accounts; make the account private or get the app audited');
      default:
        if (code && code !== 'ok' && response.status < 500 && response.status !== 429 && response.status !== 401) {
          return invalid(`TikTok rejected the request${said}`);
        }
        return classifyByStatus(response, { platformName: name, now, canRefresh: true });
    }
  };

  const tokenCall = (form: Record<string, string>, call: 'code' | 'refresh') =>
    http.json(
      { method: 'POST', url: `${API}/oauth/token/`, form: { ...form, client_key: client.clientId, client_secret: client.clientSecret } },
      {
        schema: tokenSchema,
        classify: (r) => classifyTokenError(http, r, call),
        isError: (r) => oauthError(r.body) !== undefined,
        what: call === 'code' ? 'the sign-in' : 'the token refresh',
      },
    );

  const toIssued = (body: z.infer<typeof tokenSchema>): IssuedTokens => ({
    accessToken: body.access_token,
    refreshToken: body.refresh_token ?? undefined,
    accessTokenLifetimeSec: positive(body.expires_in),
    refreshTokenLifetimeSec: positive(body.refresh_expires_in),
    scopes: body.scope ? body.scope.split(/[\s,]+/).filter(Boolean) : undefined,
  });

  const apiCall = <T>(schema: z.ZodType<T>, what: string, request: Parameters<typeof http.json>[0]) =>
    http.json(request, {
      schema,
      classify: classifyApi,
      isError: (r) => {
        const code = apiErrorCode(r.body);
        return code !== undefined && code !== 'ok';
      },
      what,
    });

  return {
    id: 'tiktok',
    displayName: name,
    connect: 'oauth',
    usesPkce: false,
    hasTargetChoice: false,

    tokenPolicy: () => ({ renewal: 'rotatingRefresh' }),
    postRules: () => RULES,
    validatePost: (post) => validate(post),

    authorizationUrl: ({ state, redirectUri }) =>
      buildUrl(http, AUTHORIZE_URL, { client_key: client.clientId, scope: TIKTOK_SCOPES.join(','), response_type: 'code', redirect_uri: redirectUri, state }),

    async exchangeCode({ code, redirectUri }) {
      const result = await tokenCall({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, 'code');
      return result.kind === 'ok' ? ok(toIssued(result.value)) : result;
    },

    async identity(tokens) {
      // TikTok fails the whole request for a field the granted scopes do not cover; people may untick user.info.profile.
      const profileGranted = tokens.scopes?.includes('user.info.profile') ?? false;
      const result = await apiCall(userSchema, 'the profile request', {
        method: 'GET',
        url: `${API}/user/info/`,
        query: { fields: profileGranted ? `${BASIC_FIELDS},username` : BASIC_FIELDS },
        bearer: tokens.accessToken,
      });
      if (result.kind !== 'ok') return result;
      const user = result.value.data.user;
      const handle = user.username || user.display_name || user.open_id;
      return ok({ externalId: user.open_id, handle, displayName: user.display_name || handle, avatarUrl: user.avatar_url });
    },

    async refresh(_account, credentials) {
      if (!credentials.refreshToken) return reauthRequired('refresh_unavailable', 'TikTok gave this connection no refresh token — reconnect to continue');
      const result = await tokenCall({ grant_type: 'refresh_token', refresh_token: credentials.refreshToken }, 'refresh');
      return result.kind === 'ok' ? ok(toIssued(result.value)) : result;
    },

    async validate(_account, credentials) {
      const result = await apiCall(userSchema, 'the token check', {
        method: 'GET',
        url: `${API}/user/info/`,
        query: { fields: 'open_id' },
        bearer: credentials.accessToken,
      });
      return result.kind === 'ok' ? ok({}) : result;
    },

    async revoke(_account, credentials) {
      const result = await http.expectSuccess(
        { method: 'POST', url: `${API}/oauth/revoke/`, form: { client_key: client.clientId, client_secret: client.clientSecret, token: credentials.accessToken } },
        (r) => classifyTokenError(http, r, 'revoke'),
      );
      if (result.kind !== 'ok') return result;
      const error = oauthError(result.value.body);
      return error ? classifyTokenError(http, result.value, 'revoke') : ok({ revokedAtPlatform: true });
    },

    async publish(account, credentials, post) {
      const problems = validate(post);
      if (problems.length > 0) return invalid(problems.join('; '));
      // Direct Post must offer only the privacy levels the creator allows (unaudited apps: SELF_ONLY).
      const creator = await apiCall(creatorSchema, 'the creator check', {
        method: 'POST',
        url: `${API}/post/publish/creator_info/query/`,
        bearer: credentials.accessToken,
        json: {},
      });
      if (creator.kind !== 'ok') return creator;
      const options = creator.value.data.privacy_level_options ?? [];
      const privacy = options.includes('PUBLIC_TO_EVERYONE') ? 'PUBLIC_TO_EVERYONE' : (options[0] ?? 'SELF_ONLY');
      const result = await apiCall(publishSchema, 'the post', {
        method: 'POST',
        url: `${API}/post/publish/content/init/`,
        bearer: credentials.accessToken,
        idempotencyKey: post.idempotencyKey,
        json: {
          post_info: { description: post.text, privacy_level: privacy, disable_comment: false, auto_add_music: true },
          source_info: { source: 'PULL_FROM_URL', photo_cover_index: 0, photo_images: [post.imageUrl] },
          post_mode: 'DIRECT_POST',
          media_type: 'PHOTO',
        },
      });
      if (result.kind !== 'ok') return result;
      // TikTok processes the photo post asynchronously; the public post id is not known yet.
      return ok({ externalId: result.value.data.publish_id, url: `https://www.tiktok.com/@${encodeURIComponent(account.handle)}` });
    },
  };
}
