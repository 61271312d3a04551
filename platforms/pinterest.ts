// Pinterest API v5: OAuth with HTTP Basic client authentication on the token endpoint, continuous
// (sliding, rotating) refresh tokens, Pins created on a chosen board from an image URL.

import { z } from 'zod';
import { asRecord, classifyByStatus, withDetail } from './errors.js';
import type { HttpResponse } from './http.js';
import { buildUrl, classifyTokenError, codeGrant, issuedFromOAuth, oauthTokenSchema, refreshGrant, type AdapterDeps, type OAuthTokenBody, type TokenEndpoint } from './oauth.js';
import { invalid, ok, reauthRequired } from './outcome.js';
import { MB, type MediaRules } from './media-rules.js';
import { checkPost } from './post-rules.js';
import type { Board, Failure, PlatformAdapter, PostRules } from './types.js';

const AUTHORIZE_URL = 'https://www.pinterest.com/oauth/';
const API = 'https://api.pinterest.com/v5';
export const PINTEREST_SCOPES = ['boards:read', 'boards:write', 'pins:read', 'pins:write', 'user_accounts:read'];
/** Image Pins (several images make a carousel Pin), fetched from public URLs; one alt text per Pin. */
export const PINTEREST_MEDIA: MediaRules = {
  image: { maxCount: 5, types: ['image/jpeg', 'image/png', 'image/webp', 'image/bmp', 'image/tiff'], maxBytes: 20 * MB, maxAltLength: 500 },
  mixed: false,
  required: 'image',
};
const RULES: PostRules = { maxLength: 500, lengthUnit: 'characters', media: PINTEREST_MEDIA, requiresBoard: true };
const MAX_BOARD_PAGES = 10;
const PIN_SCOPES = ['boards:read', 'boards:write', 'pins:read', 'pins:write'];
/** Trial access may create Pins only on the API sandbox (Pinterest's "Access tiers"); reconnecting cannot fix it. */
const TRIAL_ACCESS =
  "Pinterest refused to create the Pin: this installation's Pinterest app has Trial access, which cannot create Pins in production. The operator must apply for Standard access in the Pinterest developer portal; reconnecting will not help";
const trialAccess = (body: unknown) => /trial access/i.test(String(asRecord(body)?.message ?? ''));

const userSchema = z.looseObject({
  id: z.string().optional(),
  username: z.string().min(1),
  business_name: z.string().nullish(),
  profile_image: z.string().nullish(),
});
const boardsSchema = z.looseObject({
  items: z.array(z.looseObject({ id: z.string().min(1), name: z.string() })),
  bookmark: z.string().nullish(),
});
const pinSchema = z.looseObject({ id: z.string().min(1) });

export function createPinterestAdapter({ http, client }: AdapterDeps): PlatformAdapter {
  const name = 'Pinterest';
  const basicAuth = { username: client.clientId, password: client.clientSecret };

  /** API errors: {"code":2,"message":"Authentication failed."} (401), code 29 (403, permission). */
  const classifyApi = (response: HttpResponse): Failure => {
    const code = asRecord(response.body)?.code;
    if (response.status === 401 || code === 2) {
      return reauthRequired('access_token_rejected', withDetail('Pinterest refused the access token; Tether will refresh it and retry', response.body));
    }
    if (response.status === 403 || code === 29) {
      if (trialAccess(response.body)) return invalid(TRIAL_ACCESS);
      return reauthRequired('permission_missing', withDetail('Pinterest says Tether may not do that (missing permission) — reconnect and grant it', response.body));
    }
    return classifyByStatus(response, { platformName: name, now: http.now(), canRefresh: true });
  };

  /** Pin creation: a 403 code 29 with every Pin scope granted is the app's access tier, not the person's consent. */
  const classifyPin = (response: HttpResponse, scopes: string[] | undefined): Failure => {
    const failure = classifyApi(response);
    const granted = PIN_SCOPES.every((scope) => scopes?.includes(scope));
    return failure.kind === 'reauthRequired' && failure.code === 'permission_missing' && asRecord(response.body)?.code === 29 && granted ? invalid(TRIAL_ACCESS) : failure;
  };

  /**
   * The refresh-failure body is undocumented: an OAuth error or a Pinterest `{code, message}`.
   * A 400/401 from the token endpoint that is not a client-credentials error means the grant is gone.
   */
  const classifyToken = (response: HttpResponse, call: 'code' | 'refresh'): Failure => {
    const failure = classifyTokenError(http, response, call);
    const clientProblem = failure.kind === 'invalid' && /client id or secret/.test(failure.message);
    if ((response.status === 400 || response.status === 401) && !clientProblem && failure.kind !== 'rateLimited' && failure.kind !== 'transient') {
      return call === 'code'
        ? reauthRequired('authorization_code_invalid', withDetail('Pinterest did not accept the sign-in code — connect again', response.body))
        : reauthRequired('refresh_token_invalid', withDetail('Pinterest no longer accepts this connection’s refresh token — reconnect to continue', response.body));
    }
    return failure;
  };

  const tokens: TokenEndpoint<OAuthTokenBody> = {
    call: (form, call) =>
      http.json(
        { method: 'POST', url: `${API}/oauth/token`, basicAuth, form },
        { schema: oauthTokenSchema, classify: (r) => classifyToken(r, call), what: call === 'code' ? 'the sign-in' : 'the token refresh' },
      ),
    toIssued: (body) => issuedFromOAuth(body, /[\s,]+/),
  };

  return {
    id: 'pinterest',
    displayName: name,
    connect: 'oauth',
    usesPkce: false,
    hasTargetChoice: false,

    // The 30-day access token answers a cheap read (GET /v5/user_account) for health checks; the sliding refresh token is reported.
    tokenPolicy: () => ({ renewal: 'rotatingRefresh', check: 'inspect' }),
    postRules: () => RULES,
    validatePost: (post) => checkPost(name, RULES, post, 'description'),

    authorizationUrl: ({ state, redirectUri }) =>
      buildUrl(http, AUTHORIZE_URL, { client_id: client.clientId, redirect_uri: redirectUri, response_type: 'code', scope: PINTEREST_SCOPES.join(','), state }),

    // continuous_refresh: apps created before 2025-09-25 must ask for sliding refresh tokens.
    exchangeCode: ({ code, redirectUri }) => codeGrant(tokens, { code, redirect_uri: redirectUri, continuous_refresh: 'true' }),

    async identity(tokens) {
      const result = await http.json(
        { method: 'GET', url: `${API}/user_account`, bearer: tokens.accessToken },
        { schema: userSchema, classify: classifyApi, what: 'the profile request' },
      );
      if (result.kind !== 'ok') return result;
      const user = result.value;
      return ok({
        externalId: user.id ?? user.username,
        handle: user.username,
        displayName: user.business_name || user.username,
        avatarUrl: user.profile_image ?? undefined,
      });
    },

    async listBoards(_account, credentials) {
      const boards: Board[] = [];
      let bookmark: string | undefined;
      for (let i = 0; i < MAX_BOARD_PAGES; i += 1) {
        const result = await http.json(
          { method: 'GET', url: `${API}/boards`, query: { page_size: 100, bookmark }, bearer: credentials.accessToken },
          { schema: boardsSchema, classify: classifyApi, what: 'the list of boards' },
        );
        if (result.kind !== 'ok') return result;
        boards.push(...result.value.items.map((b) => ({ id: b.id, name: b.name })));
        bookmark = result.value.bookmark ?? undefined;
        if (!bookmark) break;
      }
      return ok(boards);
    },

    refresh: (_account, credentials) => refreshGrant(tokens, credentials.refreshToken, 'Pinterest gave this connection no refresh token — reconnect to continue'),

    async validate(_account, credentials) {
      const result = await http.json(
        { method: 'GET', url: `${API}/user_account`, bearer: credentials.accessToken },
        { schema: userSchema, classify: classifyApi, what: 'the token check' },
      );
      return result.kind === 'ok' ? ok({}) : result;
    },

    // Pinterest's revoke endpoint serves system-user tokens only; people disconnect in their settings.
    revoke: async () => ok({ revokedAtPlatform: false }),

    async publish(_account, credentials, post) {
      const problems = checkPost(name, RULES, post, 'description');
      if (problems.length > 0) return invalid(problems.join('; '));
      const result = await http.json(
        {
          method: 'POST',
          url: `${API}/pins`,
          bearer: credentials.accessToken,
          idempotencyKey: post.idempotencyKey,
          json: { board_id: post.boardId, description: post.text, ...pinMedia(post.media ?? []) },
        },
        { schema: pinSchema, classify: (r) => classifyPin(r, credentials.scopes), what: 'the Pin' },
      );
      if (result.kind !== 'ok') return result;
      return ok({ externalId: result.value.id, url: `https://www.pinterest.com/pin/${result.value.id}/` });
    },
  };
}

/** The Pin's `media_source` (one image, or a carousel of 2 to 5) and its alt text (the first image's). */
function pinMedia(images: { url: string; alt?: string }[]): Record<string, unknown> {
  const alt = images.find((image) => image.alt)?.alt;
  const source =
    images.length === 1
      ? { source_type: 'image_url', url: images[0]!.url }
      : { source_type: 'multiple_image_urls', items: images.map((image) => ({ url: image.url, ...(image.alt ? { description: image.alt } : {}) })) };
  return { media_source: source, ...(alt ? { alt_text: alt } : {}) };
}
