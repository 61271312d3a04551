// Instagram business/creator accounts through Facebook Login: one Instagram account per Page.
// Content publishing takes the app user's User access token (not the Page's): a media container,
// then, once Instagram reports the container FINISHED, media_publish. The user token lives about
// 60 days and is renewed by exchanging it for a fresh long-lived one.

import { z } from 'zod';
import { createMetaAdapter, type MetaOptions } from './meta-adapter.js';
import type { MetaLogin } from './meta-login.js';
import type { ProcessingPoll } from './media-upload.js';
import type { AdapterDeps } from './oauth.js';
import { containerForPost, containerKey, containerState } from './containers.js';
import { MB, type MediaRules } from './media-rules.js';
import { ok } from './outcome.js';
import type { PlatformAdapter, PostRules, Target } from './types.js';

export const INSTAGRAM_SCOPES = ['instagram_basic', 'instagram_content_publish', 'pages_show_list', 'pages_read_engagement'];
/** Feed images (JPEG), Reels, and carousels of up to 10 items. */
export const INSTAGRAM_MEDIA: MediaRules = {
  image: { maxCount: 10, types: ['image/jpeg'], maxBytes: 8 * MB, minAspect: 4 / 5, maxAspect: 1.91, minWidth: 320, maxAltLength: 1_000 },
  video: { types: ['video/mp4', 'video/quicktime'], maxBytes: 300 * MB, minDurationSec: 3, maxDurationSec: 15 * 60, minAspect: 0.01, maxAspect: 10 },
  mixed: true,
  required: 'media',
};
const RULES: PostRules = { maxLength: 2_200, lengthUnit: 'characters', media: INSTAGRAM_MEDIA, requiresBoard: false };
const RENEW_ONCE_A_DAY_SEC = 86_400;

const pageLinkSchema = z.looseObject({ id: z.string().optional(), instagram_business_account: z.looseObject({ id: z.string().min(1) }).optional() });
const igUserSchema = z.looseObject({
  id: z.string().min(1),
  username: z.string().min(1),
  name: z.string().optional(),
  profile_picture_url: z.string().optional(),
});
const idSchema = z.looseObject({ id: z.string().min(1) });
const permalinkSchema = z.looseObject({ permalink: z.string().optional() });
const containerSchema = z.looseObject({ status_code: z.string().min(1), status: z.string().optional() });

/** How long to wait for a container: Instagram processes images in seconds and Reels in minutes; still running is retried later. */
export type ContainerPoll = ProcessingPoll;
export const DEFAULT_CONTAINER_POLL: ContainerPoll = { intervalMs: 2_000, attempts: 6 };

export function createInstagramAdapter(deps: AdapterDeps, options: MetaOptions & { containerPoll?: ContainerPoll }): PlatformAdapter {
  const { http } = deps;
  const poll = options.containerPoll ?? DEFAULT_CONTAINER_POLL;

  /** Containers of the Instagram account: images from `image_url`, videos as Reels from `video_url`. */
  const containers = (login: MetaLogin, igId: string, accessToken: string, idempotencyKey: string) => ({
    platformName: 'Instagram',
    async create(fields: Record<string, string>, part: string) {
      const created = await http.json(
        { method: 'POST', url: `${login.graph}/${igId}/media`, form: { ...fields, access_token: accessToken }, idempotencyKey: containerKey(idempotencyKey, part) },
        { schema: idSchema, classify: login.classify, what: 'the media upload' },
      );
      return created.kind === 'ok' ? ok(created.value.id) : created;
    },
    async status(containerId: string) {
      const read = await http.json(
        { method: 'GET', url: `${login.graph}/${encodeURIComponent(containerId)}`, query: { fields: 'status_code,status', access_token: accessToken } },
        { schema: containerSchema, classify: login.classify, what: 'the upload status' },
      );
      return read.kind === 'ok' ? ok(containerState('Instagram', read.value.status_code, read.value.status)) : read;
    },
    itemFields: (media: { kind: string; url: string; alt?: string }): Record<string, string> =>
      media.kind === 'video' ? { media_type: 'REELS', video_url: media.url } : { image_url: media.url, ...(media.alt ? { alt_text: media.alt } : {}) },
  });

  return createMetaAdapter(deps, options, {
    id: 'instagram',
    name: 'Instagram',
    scopes: INSTAGRAM_SCOPES,
    rules: RULES,
    textLabel: 'caption',
    // The long-lived user token is exchanged before it ages out; a health check inspects it (debug_token).
    // Accounts connected before Tether kept the user token hold a non-expiring Page token: validate those.
    tokenPolicy: (credentials) =>
      credentials.accessTokenExpiresAt ? { renewal: 'exchange', minTokenAgeSec: RENEW_ONCE_A_DAY_SEC, check: 'inspect' } : { renewal: 'validate' },
    refresh: (login, credentials) => (credentials.accessTokenExpiresAt ? login.longLived(credentials.accessToken) : login.refresh(credentials)),

    async listTargets(login, tokens, identity) {
      const pages = await login.pages(tokens.accessToken);
      if (pages.kind !== 'ok') return pages;
      const targets: Target[] = [];
      for (const page of pages.value) {
        const link = await http.json(
          { method: 'GET', url: `${login.graph}/${encodeURIComponent(page.id)}`, query: { fields: 'instagram_business_account', access_token: page.access_token } },
          { schema: pageLinkSchema, classify: login.classify, what: 'the Page lookup' },
        );
        if (link.kind !== 'ok') return link;
        const igId = link.value.instagram_business_account?.id;
        if (!igId) continue;
        const user = await http.json(
          {
            method: 'GET',
            url: `${login.graph}/${encodeURIComponent(igId)}`,
            query: { fields: 'id,username,name,profile_picture_url', access_token: page.access_token },
          },
          { schema: igUserSchema, classify: login.classify, what: 'the Instagram account lookup' },
        );
        if (user.kind !== 'ok') return user;
        targets.push({
          kind: 'instagram',
          externalId: user.value.id,
          handle: user.value.username,
          displayName: user.value.name || user.value.username,
          avatarUrl: user.value.profile_picture_url,
          meta: { userId: identity.externalId, pageId: page.id, pageName: page.name },
          tokens,
        });
      }
      return ok(targets);
    },

    async publish(login, account, credentials, post) {
      const igId = encodeURIComponent(account.externalId);
      const api = containers(login, igId, credentials.accessToken, post.idempotencyKey);
      const container = await containerForPost(api, poll, post, { caption: post.text });
      if (container.kind !== 'ok') return container;
      const published = await http.json(
        {
          method: 'POST',
          url: `${login.graph}/${igId}/media_publish`,
          form: { creation_id: container.value, access_token: credentials.accessToken },
          idempotencyKey: post.idempotencyKey,
        },
        { schema: idSchema, classify: login.classify, what: 'the post' },
      );
      if (published.kind !== 'ok') return published;
      const mediaId = published.value.id;
      // The permalink is a convenience; the post exists even when this lookup fails.
      const link = await http.json(
        { method: 'GET', url: `${login.graph}/${encodeURIComponent(mediaId)}`, query: { fields: 'permalink', access_token: credentials.accessToken } },
        { schema: permalinkSchema, classify: login.classify, what: 'the post link' },
      );
      const url = (link.kind === 'ok' && link.value.permalink) || `https://www.instagram.com/${encodeURIComponent(account.handle)}/`;
      return ok({ externalId: mediaId, url });
    },
  });
}
