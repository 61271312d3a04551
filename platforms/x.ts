// X (Twitter): OAuth 2.0 authorization code + PKCE (required), rotating refresh tokens,
// confidential client (HTTP Basic on token and revoke calls), posts via POST /2/tweets.

import { z } from 'zod';
import { asRecord, asString, classifyByStatus, withDetail } from './errors.js';
import type { HttpResponse } from './http.js';
import { buildUrl, classifyTokenError, codeGrant, issuedFromOAuth, oauthTokenSchema, refreshGrant, type AdapterDeps, type OAuthTokenBody, type TokenEndpoint } from './oauth.js';
import { invalid, ok, rateLimited, reauthRequired } from './outcome.js';
import { checkPost } from './post-rules.js';
import { describeResetAt, rateLimitResetFromHeaders } from './rate-limit.js';
import { DEFAULT_PROCESSING_POLL, type ProcessingPoll } from './media-upload.js';
import type { Failure, PlatformAdapter, PostRules, PremiumStatus } from './types.js';
import { uploadXMedia, X_MEDIA } from './x-media.js';

const AUTHORIZE_URL = 'https://x.com/i/oauth2/authorize';
const TOKEN_URL = 'https://api.x.com/2/oauth2/token';
const REVOKE_URL = 'https://api.x.com/2/oauth2/revoke';
const API = 'https://api.x.com/2';
export const X_SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'offline.access'];
/**
 * X documents no refresh-token lifetime ("offline.access: stay connected until you revoke access");
 * an X DevRel tutorial says six months. Taken as six months unused: each refresh issues a new one.
 */
const REFRESH_IDLE_SEC = 180 * 86_400;

const userSchema = z.object({
  data: z.looseObject({
    id: z.string().min(1),
    username: z.string().min(1),
    name: z.string(),
    profile_image_url: z.string().optional(),
    subscription_type: z.string().optional(),
    verified_type: z.string().optional(),
  }),
});
const tweetSchema = z.object({ data: z.looseObject({ id: z.string().min(1) }) });
const SUBSCRIPTIONS = ['None', 'Basic', 'Premium', 'PremiumPlus'] as const;

export function createXAdapter({ http, client }: AdapterDeps, poll: ProcessingPoll = DEFAULT_PROCESSING_POLL): PlatformAdapter {
  const name = 'X';
  const basicAuth = { username: client.clientId, password: client.clientSecret };

  /** X API errors (problem+json or legacy `errors[]`). A 401 means "refresh, then retry". */
  const classifyApi = (response: HttpResponse): Failure => {
    const body = asRecord(response.body);
    const type = asString(body?.type) ?? '';
    const detail = asString(body?.detail) ?? '';
    const now = http.now();
    if (response.status === 429 || type.endsWith('usage-capped') || type.endsWith('rate-limit-exceeded')) {
      const resetAt = rateLimitResetFromHeaders(response.headers, now, type.endsWith('usage-capped') ? 24 * 3600 : 15 * 60);
      const why = type.endsWith('usage-capped') ? "X says the app's monthly post cap is used up" : 'X is rate-limiting';
      return rateLimited(resetAt, `${why} until ${describeResetAt(resetAt, now)}`);
    }
    if (response.status === 401) {
      return reauthRequired('access_token_rejected', withDetail('X refused the access token; Tether will refresh it and retry', response.body));
    }
    if (response.status === 403) {
      if (/duplicate content/i.test(detail)) return invalid('X rejected this post as a duplicate of one already on the account');
      if (type.endsWith('client-forbidden') || /client-forbidden|enrolled|project/i.test(detail)) {
        return invalid(withDetail("X refused the request because of the app's API access level, not the account — check the X developer project", response.body));
      }
      return invalid(withDetail('X refused to publish this post', response.body));
    }
    return classifyByStatus(response, { platformName: name, now, canRefresh: true });
  };

  const tokens: TokenEndpoint<OAuthTokenBody> = {
    call: (form, call) =>
      http.json(
        { method: 'POST', url: TOKEN_URL, basicAuth, form: { ...form, client_id: client.clientId } },
        { schema: oauthTokenSchema, classify: (r) => classifyTokenError(http, r, call), what: call === 'code' ? 'the sign-in' : 'the token refresh' },
      ),
    toIssued: (body) => issuedFromOAuth(body, /\s+/),
  };

  const rules = (premium?: PremiumStatus): PostRules => {
    const long = premium && premium.subscriptionType !== 'None';
    return { maxLength: long ? 25_000 : 280, lengthUnit: 'weighted', media: X_MEDIA, requiresBoard: false };
  };

  return {
    id: 'x',
    displayName: name,
    connect: 'oauth',
    usesPkce: true,
    hasTargetChoice: false,

    tokenPolicy: () => ({ renewal: 'rotatingRefresh', refreshIdleSec: REFRESH_IDLE_SEC }),
    postRules: ({ premium }) => rules(premium),
    validatePost: (post, { premium }) => checkPost(name, rules(premium), post),

    authorizationUrl: ({ state, redirectUri, codeChallenge }) =>
      buildUrl(http, AUTHORIZE_URL, {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: redirectUri,
        scope: X_SCOPES.join(' '),
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      }),

    exchangeCode: ({ code, redirectUri, codeVerifier }) => codeGrant(tokens, { code, redirect_uri: redirectUri, code_verifier: codeVerifier }),

    async identity(tokens) {
      const result = await http.json(
        { method: 'GET', url: `${API}/users/me`, query: { 'user.fields': 'profile_image_url' }, bearer: tokens.accessToken },
        { schema: userSchema, classify: classifyApi, what: 'the profile request' },
      );
      if (result.kind !== 'ok') return result;
      const user = result.value.data;
      return ok({ externalId: user.id, handle: user.username, displayName: user.name || user.username, avatarUrl: user.profile_image_url });
    },

    refresh: (_account, credentials) =>
      refreshGrant(tokens, credentials.refreshToken, 'X gave this connection no refresh token (offline.access missing) — reconnect to continue'),

    async validate(_account, credentials) {
      const result = await http.json(
        { method: 'GET', url: `${API}/users/me`, bearer: credentials.accessToken },
        { schema: userSchema, classify: classifyApi, what: 'the token check' },
      );
      return result.kind === 'ok' ? ok({}) : result;
    },

    async revoke(_account, credentials) {
      const tokens = [
        { token: credentials.refreshToken, hint: 'refresh_token' },
        { token: credentials.accessToken, hint: 'access_token' },
      ];
      for (const { token, hint } of tokens) {
        if (!token) continue;
        const result = await http.expectSuccess(
          { method: 'POST', url: REVOKE_URL, basicAuth, form: { token, token_type_hint: hint, client_id: client.clientId } },
          (r) => classifyTokenError(http, r, 'revoke'),
        );
        if (result.kind !== 'ok') return result;
      }
      return ok({ revokedAtPlatform: true });
    },

    async publish(account, credentials, post) {
      const mediaIds = await uploadXMedia(http, classifyApi, poll, credentials.accessToken, post);
      if (mediaIds.kind !== 'ok') return mediaIds;
      const media = mediaIds.value.length > 0 ? { media: { media_ids: mediaIds.value } } : {};
      const result = await http.json(
        { method: 'POST', url: `${API}/tweets`, bearer: credentials.accessToken, json: { text: post.text, ...media }, idempotencyKey: post.idempotencyKey },
        { schema: tweetSchema, classify: classifyApi, what: 'the post' },
      );
      if (result.kind !== 'ok') return result;
      const id = result.value.data.id;
      return ok({ externalId: id, url: `https://x.com/${encodeURIComponent(account.handle.replace(/^@/, ''))}/status/${id}` });
    },

    async premiumStatus(_account, credentials) {
      const result = await http.json(
        {
          method: 'GET',
          url: `${API}/users/me`,
          query: { 'user.fields': 'subscription_type,verified,verified_type' },
          bearer: credentials.accessToken,
        },
        { schema: userSchema, classify: classifyApi, what: 'the subscription check' },
      );
      if (result.kind !== 'ok') return result;
      const raw = result.value.data.subscription_type ?? 'None';
      const subscriptionType = (SUBSCRIPTIONS as readonly string[]).includes(raw) ? (raw as PremiumStatus['subscriptionType']) : 'None';
      return ok({ subscriptionType, verifiedType: result.value.data.verified_type });
    },
  };
}
