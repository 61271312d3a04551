// TikTok Login Kit v2 + Content Posting API. Rotating refresh tokens; token-endpoint errors can come
// back with HTTP 200, API errors always carry {"error":{"code","message","log_id"}} ("ok" on success).
// Tether can publish photo posts (pulled from an image URL); text-only posts do not exist on TikTok.
// TikTok's content-sharing guidelines make the person choose the privacy level among the ones
// creator_info offers (no default) and agree to the Music Usage Confirmation; an unaudited app may
// post only SELF_ONLY, and TikTok pulls media only from domains verified for the app.

import { z } from 'zod';
import { asRecord, asString, classifyByStatus, oauthError } from './errors.js';
import type { HttpResponse } from './http.js';
import { buildUrl, classifyTokenError, codeGrant, positive, refreshGrant, seconds, type AdapterDeps, type TokenEndpoint } from './oauth.js';
import { invalid, ok, rateLimited, reauthRequired, transient } from './outcome.js';
import { DEFAULT_PROCESSING_POLL, firstLine, type ProcessingPoll } from './media-upload.js';
import { checkPost } from './post-rules.js';
import { publishTikTokMedia, TIKTOK_MEDIA } from './tiktok-media.js';
import { describeResetAt, secondsFromNow } from './rate-limit.js';
import { isOnVerifiedDomain, type TikTokSettings } from './settings.js';
import type { ChoiceOptions, Failure, IssuedTokens, PlatformAdapter, PostDraft, PostRules } from './types.js';

const AUTHORIZE_URL = 'https://www.tiktok.com/v2/auth/authorize/';
const API = 'https://open.tiktokapis.com/v2';
/** `user.info.profile` covers `username` (the handle in post URLs); `user.info.basic` alone does not. */
export const TIKTOK_SCOPES = ['user.info.basic', 'user.info.profile', 'video.publish', 'video.upload'];
const BASIC_FIELDS = 'open_id,union_id,avatar_url,display_name';
const RULES: PostRules = { maxLength: 2_200, lengthUnit: 'characters', media: TIKTOK_MEDIA, requiresBoard: false };

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
const creatorSchema = z.looseObject({
  data: z.looseObject({
    privacy_level_options: z.array(z.string()).optional(),
    creator_nickname: z.string().optional(),
    comment_disabled: z.boolean().optional(),
  }),
});

/** How TikTok's privacy levels read to people. */
export const PRIVACY_LABELS: Record<string, string> = {
  PUBLIC_TO_EVERYONE: 'Everyone',
  MUTUAL_FOLLOW_FRIENDS: 'Friends',
  FOLLOWER_OF_CREATOR: 'Followers',
  SELF_ONLY: 'Only me',
};
const labelOf = (level: string) => PRIVACY_LABELS[level] ?? level;
const MUSIC_CONSENT = { label: "TikTok's Music Usage Confirmation", url: 'https://www.tiktok.com/legal/page/global/music-usage-confirmation/en' };
const WHY_CHOOSE = 'TikTok requires you to choose who can see each post and to agree to its Music Usage Confirmation; Tether never chooses for you.';
const UNAUDITED = "This installation's TikTok app has not passed TikTok's audit, so TikTok accepts only private posts (Only me)";

function apiErrorCode(body: unknown): string | undefined {
  return asString(asRecord(asRecord(body)?.error)?.code);
}

export function createTikTokAdapter({ http, client }: AdapterDeps, settings: TikTokSettings, poll: ProcessingPoll = DEFAULT_PROCESSING_POLL): PlatformAdapter {
  const name = 'TikTok';

  /** Photos are only pulled, and only from verified domains: Tether's media address must be on one. */
  const domainProblem = (post: PostDraft): string | undefined => {
    const photo = post.media?.find((m) => m.kind === 'image');
    if (!photo?.url || isOnVerifiedDomain(photo.url, settings.verifiedDomains)) return undefined;
    const host = new URL(photo.url).host;
    return settings.verifiedDomains.length > 0
      ? `TikTok takes photos only from domains verified for this installation's TikTok app (${settings.verifiedDomains.join(', ')}), and Tether serves media from ${host}; post a video, or verify ${host}`
      : `TikTok takes photos only from domains verified for this installation's TikTok app, and none is configured (TIKTOK_VERIFIED_DOMAINS); post a video, or verify ${host}`;
  };

  const validate = (post: PostDraft): string[] => {
    const problems = checkPost(name, RULES, post, 'description');
    const domain = domainProblem(post);
    if (domain) problems.push(domain);
    const choices = post.choices ?? {};
    if (!choices.privacyLevel) problems.push('TikTok requires you to choose who can see this post');
    else if (!settings.audited && choices.privacyLevel !== 'SELF_ONLY') problems.push(UNAUDITED);
    if (!choices.musicConsent) problems.push('TikTok requires you to agree to its Music Usage Confirmation before posting');
    return problems;
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
        return invalid("TikTok accepts posts from this installation's unaudited app only as Only me, and only to a private account; make the TikTok account private, or the operator must get the app audited");
      case 'url_ownership_unverified':
        return invalid("TikTok refused to fetch the image: its domain is not verified for this installation's TikTok app (TIKTOK_VERIFIED_DOMAINS)");
      default:
        if (code && code !== 'ok' && response.status < 500 && response.status !== 429 && response.status !== 401) {
          return invalid(`TikTok rejected the request${said}`);
        }
        return classifyByStatus(response, { platformName: name, now, canRefresh: true });
    }
  };

  const tokens: TokenEndpoint<z.infer<typeof tokenSchema>> = {
    call: (form, call) =>
      http.json(
        { method: 'POST', url: `${API}/oauth/token/`, form: { ...form, client_key: client.clientId, client_secret: client.clientSecret } },
        {
          schema: tokenSchema,
          classify: (r) => classifyTokenError(http, r, call),
          isError: (r) => oauthError(r.body) !== undefined,
          what: call === 'code' ? 'the sign-in' : 'the token refresh',
        },
      ),
    // TikTok names the refresh token's lifetime refresh_expires_in.
    toIssued: (body): IssuedTokens => ({
      accessToken: body.access_token,
      refreshToken: body.refresh_token ?? undefined,
      accessTokenLifetimeSec: positive(body.expires_in),
      refreshTokenLifetimeSec: positive(body.refresh_expires_in),
      scopes: body.scope ? body.scope.split(/[\s,]+/).filter(Boolean) : undefined,
    }),
  };

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

  const creatorInfo = (accessToken: string) =>
    apiCall(creatorSchema, 'the creator check', { method: 'POST', url: `${API}/post/publish/creator_info/query/`, bearer: accessToken, json: {} });

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

    exchangeCode: ({ code, redirectUri }) => codeGrant(tokens, { code, redirect_uri: redirectUri }),

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

    refresh: (_account, credentials) => refreshGrant(tokens, credentials.refreshToken, 'TikTok gave this connection no refresh token — reconnect to continue'),

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

    async postChoices(_account, credentials) {
      const creator = await creatorInfo(credentials.accessToken);
      if (creator.kind !== 'ok') return creator;
      const offered = creator.value.data.privacy_level_options ?? [];
      const allowed = settings.audited ? offered : offered.filter((level) => level === 'SELF_ONLY');
      const choices: ChoiceOptions = {
        reason: WHY_CHOOSE,
        creatorName: creator.value.data.creator_nickname,
        privacyLevels: allowed.map((value) => ({ value, label: labelOf(value) })),
        consent: MUSIC_CONSENT,
        musicOption: 'Let TikTok add recommended music to this photo post',
        notes: settings.audited ? [] : [`${UNAUDITED}, and only from a private TikTok account.`],
      };
      return ok(choices);
    },

    async publish(account, credentials, post) {
      const problems = validate(post);
      if (problems.length > 0) return invalid(problems.join('; '));
      const privacy = post.choices!.privacyLevel!;
      // The creator's options can change after the post was composed: check them again now.
      const creator = await creatorInfo(credentials.accessToken);
      if (creator.kind !== 'ok') return creator;
      const offered = creator.value.data.privacy_level_options ?? [];
      if (!offered.includes(privacy)) {
        return invalid(`TikTok no longer offers "${labelOf(privacy)}" for this account (it offers ${offered.map(labelOf).join(', ')}); edit the post and choose again`);
      }
      const photo = post.media?.[0]?.kind === 'image';
      const text = photo ? { title: firstLine(post.text, 90), description: post.text } : { title: post.text };
      const result = await publishTikTokMedia(
        {
          http,
          api: API,
          apiCall,
          classify: classifyApi,
          accessToken: credentials.accessToken,
          poll,
          canPull: (url) => isOnVerifiedDomain(url, settings.verifiedDomains),
        },
        post,
        {
          ...text,
          privacy_level: privacy,
          disable_comment: creator.value.data.comment_disabled ?? false,
          ...(photo ? { auto_add_music: post.choices?.autoAddMusic === true } : {}),
        },
      );
      if (result.kind !== 'ok') return result;
      const handle = encodeURIComponent(account.handle);
      const { publishId, postId } = result.value;
      // TikTok gives the post's id for public posts only; private ones are reached from the profile.
      const url = postId ? `https://www.tiktok.com/@${handle}/${photo ? 'photo' : 'video'}/${postId}` : `https://www.tiktok.com/@${handle}`;
      return ok({ externalId: postId ?? publishId, url });
    },
  };
}
