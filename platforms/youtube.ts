// YouTube (Google OAuth 2.0 with PKCE, offline access). Tokens are bound to the channel picked in
// Google's account chooser. A post is a video uploaded with videos.insert's resumable protocol: the
// title is the post's first line, the description its text, the privacy the person's choice.

import { z } from 'zod';
import { classifyByStatus, withDetail } from './errors.js';
import { googleErrorReasons } from './google-errors.js';
import type { HttpResponse } from './http.js';
import { buildUrl, classifyTokenError, codeGrant, issuedFromOAuth, oauthTokenSchema, refreshGrant, type AdapterDeps, type OAuthTokenBody, type TokenEndpoint } from './oauth.js';
import { invalid, ok, rateLimited, reauthRequired } from './outcome.js';
import { describeResetAt, nextMidnightInZone } from './rate-limit.js';
import { checkPost } from './post-rules.js';
import type { ChoiceOptions, Failure, Identity, PlatformAdapter, PostDraft, PostRules } from './types.js';
import { uploadYouTubeVideo, YOUTUBE_MEDIA } from './youtube-upload.js';

const AUTHORIZE_URL = 'https://accounts.google.com/o/oauth2/v2/auth';
const TOKEN_URL = 'https://oauth2.googleapis.com/token';
const REVOKE_URL = 'https://oauth2.googleapis.com/revoke';
const TOKENINFO_URL = 'https://oauth2.googleapis.com/tokeninfo';
/** Google drops a refresh token unused for six months (developers.google.com/identity/protocols/oauth2, "Refresh token expiration"). */
const REFRESH_IDLE_SEC = 180 * 86_400;
const API = 'https://www.googleapis.com/youtube/v3';
export const YOUTUBE_SCOPES = ['https://www.googleapis.com/auth/youtube.upload', 'https://www.googleapis.com/auth/youtube.readonly'];
/** The description's limit; the title is the first line, cut to YouTube's 100 characters. */
const RULES: PostRules = { maxLength: 5_000, lengthUnit: 'characters', media: YOUTUBE_MEDIA, requiresBoard: false };
const PRIVACY: ChoiceOptions['privacyLevels'] = [
  { value: 'public', label: 'Public' },
  { value: 'unlisted', label: 'Unlisted' },
  { value: 'private', label: 'Private' },
];
const WHY_CHOOSE = 'YouTube publishes every video as public, unlisted or private; choose one. The title is the post\'s first line.';

const tokenInfoSchema = z.looseObject({ expires_in: z.union([z.string(), z.number()]).optional() });

const channelsSchema = z.looseObject({
  items: z
    .array(
      z.looseObject({
        id: z.string().min(1),
        snippet: z
          .looseObject({
            title: z.string().optional(),
            customUrl: z.string().optional(),
            thumbnails: z.record(z.string(), z.looseObject({ url: z.string().optional() })).optional(),
          })
          .optional(),
      }),
    )
    .optional(),
});

export function createYouTubeAdapter({ http, client }: AdapterDeps): PlatformAdapter {
  const name = 'YouTube';

  const validate = (post: PostDraft): string[] => {
    const problems = checkPost(name, RULES, post, 'description');
    if (!post.choices?.privacyLevel || !PRIVACY.some((level) => level.value === post.choices?.privacyLevel)) {
      problems.push('YouTube needs you to choose who can see the video (public, unlisted or private)');
    }
    if (post.text.trim() === '') problems.push('YouTube needs a title: write the post, its first line becomes the title');
    return problems;
  };

  const classifyApi = (response: HttpResponse): Failure => {
    const reasons = googleErrorReasons(response.body);
    const now = http.now();
    if (reasons.includes('quotaExceeded') || reasons.includes('dailyLimitExceeded') || reasons.includes('uploadLimitExceeded')) {
      const resetAt = nextMidnightInZone(now, 'America/Los_Angeles');
      return rateLimited(resetAt, `YouTube's daily quota is used up; it resets at midnight Pacific time (${describeResetAt(resetAt, now)})`);
    }
    if (reasons.includes('rateLimitExceeded') || reasons.includes('userRateLimitExceeded')) {
      return classifyByStatus({ ...response, status: 429 }, { platformName: name, now, canRefresh: true });
    }
    if (reasons.includes('authenticatedUserAccountClosed') || reasons.includes('authenticatedUserAccountSuspended')) {
      return reauthRequired('account_suspended', 'Google says this YouTube account is closed or suspended');
    }
    if (reasons.includes('youtubeSignupRequired')) return reauthRequired('no_channel', 'This Google account has no YouTube channel — create one, then reconnect');
    if (reasons.includes('insufficientPermissions') || reasons.includes('ACCESS_TOKEN_SCOPE_INSUFFICIENT')) {
      return reauthRequired('permission_missing', 'Google says Tether is missing a YouTube permission — reconnect and grant it');
    }
    if (response.status === 401) {
      return reauthRequired('access_token_rejected', withDetail('Google refused the access token; Tether will refresh it and retry', response.body));
    }
    if (response.status === 403) return reauthRequired('permission_missing', withDetail('YouTube refused the request', response.body));
    return classifyByStatus(response, { platformName: name, now, canRefresh: true });
  };

  const tokens: TokenEndpoint<OAuthTokenBody> = {
    call: (form, call) =>
      http.json(
        { method: 'POST', url: TOKEN_URL, form: { ...form, client_id: client.clientId, client_secret: client.clientSecret } },
        { schema: oauthTokenSchema, classify: (r) => classifyTokenError(http, r, call), what: call === 'code' ? 'the sign-in' : 'the token refresh' },
      ),
    toIssued: (body) => issuedFromOAuth(body, /\s+/),
  };

  async function channel(accessToken: string) {
    const result = await http.json(
      { method: 'GET', url: `${API}/channels`, query: { part: 'snippet', mine: 'true' }, bearer: accessToken },
      { schema: channelsSchema, classify: classifyApi, what: 'the channel lookup' },
    );
    if (result.kind !== 'ok') return result;
    const item = result.value.items?.[0];
    if (!item) return reauthRequired('no_channel', 'This Google account has no YouTube channel — create one, then reconnect');
    const title = item.snippet?.title || item.id;
    const thumbs = item.snippet?.thumbnails;
    const identity: Identity = {
      externalId: item.id,
      handle: item.snippet?.customUrl || title,
      displayName: title,
      avatarUrl: thumbs?.default?.url ?? thumbs?.medium?.url,
    };
    return ok(identity);
  }

  return {
    id: 'youtube',
    displayName: name,
    connect: 'oauth',
    usesPkce: true,
    hasTargetChoice: true,

    tokenPolicy: () => ({ renewal: 'refresh', refreshIdleSec: REFRESH_IDLE_SEC, check: 'inspect' }),
    postRules: () => RULES,
    validatePost: (post) => validate(post),

    authorizationUrl: ({ state, redirectUri, codeChallenge }) =>
      buildUrl(http, AUTHORIZE_URL, {
        client_id: client.clientId,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: YOUTUBE_SCOPES.join(' '),
        access_type: 'offline',
        // consent: always return a refresh token; select_account: show Brand Account channels.
        prompt: 'consent select_account',
        include_granted_scopes: 'true',
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      }),

    exchangeCode: ({ code, redirectUri, codeVerifier }) => codeGrant(tokens, { code, redirect_uri: redirectUri, code_verifier: codeVerifier }),

    identity: (tokens) => channel(tokens.accessToken),

    async listTargets(tokens) {
      const result = await channel(tokens.accessToken);
      return result.kind === 'ok' ? ok([{ ...result.value, kind: 'channel' as const }]) : result;
    },

    async refresh(_account, credentials) {
      const result = await refreshGrant(tokens, credentials.refreshToken, 'Google gave this connection no refresh token — reconnect to continue');
      // Google normally returns no new refresh token; the current one stays valid.
      return result.kind === 'ok' ? ok({ ...result.value, refreshToken: result.value.refreshToken ?? credentials.refreshToken }) : result;
    },

    /** The cheapest check: `tokeninfo` on the live access token (no YouTube quota used). */
    async validate(_account, credentials) {
      const result = await http.json(
        { method: 'GET', url: TOKENINFO_URL, query: { access_token: credentials.accessToken } },
        {
          schema: tokenInfoSchema,
          classify: (r) =>
            r.status === 400
              ? reauthRequired('access_token_rejected', withDetail('Google no longer accepts the access token; Tether will refresh it', r.body))
              : classifyByStatus(r, { platformName: name, now: http.now(), canRefresh: true }),
          what: 'the token check',
        },
      );
      return result.kind === 'ok' ? ok({}) : result;
    },

    async revoke(_account, credentials) {
      // Revoking the refresh token ends the whole grant, access tokens included.
      const token = credentials.refreshToken ?? credentials.accessToken;
      const result = await http.expectSuccess({ method: 'POST', url: REVOKE_URL, query: { token }, form: {} }, (r) => classifyTokenError(http, r, 'revoke'));
      return result.kind === 'ok' ? ok({ revokedAtPlatform: true }) : result;
    },

    postChoices: async () => ok({ reason: WHY_CHOOSE, privacyLevels: PRIVACY, notes: [] }),

    async publish(_account, credentials, post) {
      const problems = validate(post);
      if (problems.length > 0) return invalid(problems.join('; '));
      const uploaded = await uploadYouTubeVideo(http, classifyApi, credentials.accessToken, post);
      if (uploaded.kind !== 'ok') return uploaded;
      return ok({ externalId: uploaded.value, url: `https://www.youtube.com/watch?v=${encodeURIComponent(uploaded.value)}` });
    },
  };
}
