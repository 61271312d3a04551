// Threads: Meta's Threads OAuth, short-lived token exchanged for a 60-day one, renewed with
// th_refresh_token once at least 24 hours old. No refresh token; no revoke endpoint.

import { z } from 'zod';
import { classifyGraphError } from './meta-errors.js';
import type { HttpResponse } from './http.js';
import { buildUrl, positive, seconds, type AdapterDeps } from './oauth.js';
import { invalid, ok, reauthRequired } from './outcome.js';
import { containerForPost, containerKey, containerState } from './containers.js';
import { MB, type MediaRules } from './media-rules.js';
import { DEFAULT_PROCESSING_POLL, type ProcessingPoll } from './media-upload.js';
import { checkPost } from './post-rules.js';
import type { Failure, IssuedTokens, PlatformAdapter, PostRules } from './types.js';

const AUTHORIZE_URL = 'https://threads.com/oauth/authorize';
const GRAPH = 'https://graph.threads.net';
const API = `${GRAPH}/v1.0`;
export const THREADS_SCOPES = ['threads_basic', 'threads_content_publish'];
const MIN_TOKEN_AGE_SEC = 86_400;
/** Image and video posts, and carousels of up to 20 items, all fetched from public URLs. */
export const THREADS_MEDIA: MediaRules = {
  image: { maxCount: 20, types: ['image/jpeg', 'image/png'], maxBytes: 8 * MB, minWidth: 320, maxAspect: 10, maxAltLength: 1_000 },
  video: { types: ['video/mp4', 'video/quicktime'], maxBytes: 1024 * MB, minDurationSec: 0, maxDurationSec: 5 * 60, minAspect: 0.01, maxAspect: 10 },
  mixed: true,
};
const RULES: PostRules = { maxLength: 500, lengthUnit: 'emojiBytes', media: THREADS_MEDIA, requiresBoard: false };

const codeSchema = z.looseObject({ access_token: z.string().min(1), user_id: z.union([z.string(), z.number()]).optional() });
const tokenSchema = z.looseObject({ access_token: z.string().min(1), expires_in: seconds });
const meSchema = z.looseObject({
  id: z.string().min(1),
  username: z.string().min(1),
  name: z.string().optional(),
  threads_profile_picture_url: z.string().optional(),
});
const idSchema = z.looseObject({ id: z.string().min(1) });
const permalinkSchema = z.looseObject({ permalink: z.string().optional() });
const statusSchema = z.looseObject({ status: z.string().min(1), error_message: z.string().optional() });

export function createThreadsAdapter({ http, client }: AdapterDeps, poll: ProcessingPoll = DEFAULT_PROCESSING_POLL): PlatformAdapter {
  const name = 'Threads';
  const classify = (response: HttpResponse): Failure => classifyGraphError(name, response, http.now());
  const toIssued = (body: z.infer<typeof tokenSchema>): IssuedTokens => ({
    accessToken: body.access_token,
    accessTokenLifetimeSec: positive(body.expires_in),
  });

  return {
    id: 'threads',
    displayName: name,
    connect: 'oauth',
    usesPkce: false,
    hasTargetChoice: false,

    tokenPolicy: () => ({ renewal: 'exchange', minTokenAgeSec: MIN_TOKEN_AGE_SEC, check: 'inspect' }),
    postRules: () => RULES,
    validatePost: (post) => checkPost(name, RULES, post),

    authorizationUrl: ({ state, redirectUri }) =>
      buildUrl(http, AUTHORIZE_URL, { client_id: client.clientId, redirect_uri: redirectUri, scope: THREADS_SCOPES.join(','), response_type: 'code', state }),

    async exchangeCode({ code, redirectUri }) {
      const short = await http.json(
        {
          method: 'POST',
          url: `${GRAPH}/oauth/access_token`,
          form: { client_id: client.clientId, client_secret: client.clientSecret, code, grant_type: 'authorization_code', redirect_uri: redirectUri },
        },
        {
          schema: codeSchema,
          classify: (r) => {
            const failure = classify(r);
            return failure.kind === 'invalid'
              ? reauthRequired('authorization_code_invalid', 'Threads did not accept the sign-in code (it may have expired or been used) — connect again')
              : failure;
          },
          what: 'the sign-in',
        },
      );
      if (short.kind !== 'ok') return short;
      const long = await http.json(
        { method: 'GET', url: `${GRAPH}/access_token`, query: { grant_type: 'th_exchange_token', client_secret: client.clientSecret, access_token: short.value.access_token } },
        { schema: tokenSchema, classify, what: 'the long-lived token exchange' },
      );
      return long.kind === 'ok' ? ok(toIssued(long.value)) : long;
    },

    async identity(tokens) {
      const result = await http.json(
        { method: 'GET', url: `${API}/me`, query: { fields: 'id,username,name,threads_profile_picture_url', access_token: tokens.accessToken } },
        { schema: meSchema, classify, what: 'the profile request' },
      );
      if (result.kind !== 'ok') return result;
      const me = result.value;
      return ok({ externalId: me.id, handle: me.username, displayName: me.name || me.username, avatarUrl: me.threads_profile_picture_url });
    },

    async refresh(_account, credentials) {
      const result = await http.json(
        { method: 'GET', url: `${GRAPH}/refresh_access_token`, query: { grant_type: 'th_refresh_token', access_token: credentials.accessToken } },
        { schema: tokenSchema, classify, what: 'the token renewal' },
      );
      return result.kind === 'ok' ? ok(toIssued(result.value)) : result;
    },

    async validate(_account, credentials) {
      const result = await http.json(
        { method: 'GET', url: `${API}/me`, query: { fields: 'id', access_token: credentials.accessToken } },
        { schema: idSchema, classify, what: 'the token check' },
      );
      return result.kind === 'ok' ? ok({}) : result;
    },

    // Threads documents no revoke endpoint; the person removes the app in their Threads settings.
    revoke: async () => ok({ revokedAtPlatform: false }),

    async publish(account, credentials, post) {
      const problems = checkPost(name, RULES, post);
      if (problems.length > 0) return invalid(problems.join('; '));
      const userId = encodeURIComponent(account.externalId);
      const container = await containerForPost(
        {
          platformName: name,
          async create(fields, part) {
            const created = await http.json(
              { method: 'POST', url: `${API}/${userId}/threads`, form: { media_type: 'TEXT', ...fields, access_token: credentials.accessToken }, idempotencyKey: containerKey(post.idempotencyKey, part) },
              { schema: idSchema, classify, what: 'the post' },
            );
            return created.kind === 'ok' ? ok(created.value.id) : created;
          },
          async status(containerId) {
            const read = await http.json(
              { method: 'GET', url: `${API}/${encodeURIComponent(containerId)}`, query: { fields: 'status,error_message', access_token: credentials.accessToken } },
              { schema: statusSchema, classify, what: 'the upload status' },
            );
            return read.kind === 'ok' ? ok(containerState(name, read.value.status, read.value.error_message)) : read;
          },
          itemFields: (media): Record<string, string> =>
            media.kind === 'video'
              ? { media_type: 'VIDEO', video_url: media.url }
              : { media_type: 'IMAGE', image_url: media.url, ...(media.alt ? { alt_text: media.alt } : {}) },
        },
        poll,
        post,
        { text: post.text },
      );
      if (container.kind !== 'ok') return container;
      const published = await http.json(
        {
          method: 'POST',
          url: `${API}/${userId}/threads_publish`,
          form: { creation_id: container.value, access_token: credentials.accessToken },
          idempotencyKey: post.idempotencyKey,
        },
        { schema: idSchema, classify, what: 'the post' },
      );
      if (published.kind !== 'ok') return published;
      const id = published.value.id;
      const link = await http.json(
        { method: 'GET', url: `${API}/${encodeURIComponent(id)}`, query: { fields: 'permalink', access_token: credentials.accessToken } },
        { schema: permalinkSchema, classify, what: 'the post link' },
      );
      const url = (link.kind === 'ok' && link.value.permalink) || `https://www.threads.com/@${encodeURIComponent(account.handle)}`;
      return ok({ externalId: id, url });
    },
  };
}
