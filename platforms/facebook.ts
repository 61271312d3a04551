// Facebook Pages: Facebook Login, then a choice of Pages, each posted to with its own Page token.
// Page tokens from a long-lived user token do not expire; a health check validates them (debug_token).

import { z } from 'zod';
import { createMetaAdapter, type MetaOptions } from './meta-adapter.js';
import type { AdapterDeps } from './oauth.js';
import { MB, type MediaRules } from './media-rules.js';
import { mediaOf, uploadOnce } from './media-upload.js';
import { ok } from './outcome.js';
import type { PlatformAdapter, PostRules } from './types.js';

export const FACEBOOK_SCOPES = ['pages_show_list', 'pages_read_engagement', 'pages_manage_posts'];
/** Page photos (several become one post with attached photos) and Page videos, fetched from public URLs. */
export const FACEBOOK_MEDIA: MediaRules = {
  image: { maxCount: 10, types: ['image/jpeg', 'image/png', 'image/gif', 'image/bmp', 'image/tiff'], maxBytes: 4 * MB },
  video: { types: ['video/mp4', 'video/quicktime'], maxBytes: 1024 * MB, minDurationSec: 1, maxDurationSec: 20 * 60 },
  mixed: false,
};
const RULES: PostRules = { maxLength: 63_206, lengthUnit: 'characters', media: FACEBOOK_MEDIA, requiresBoard: false };

const postSchema = z.looseObject({ id: z.string().min(1), post_id: z.string().optional() });

export function createFacebookAdapter(deps: AdapterDeps, options: MetaOptions): PlatformAdapter {
  const { http } = deps;
  return createMetaAdapter(deps, options, {
    id: 'facebook',
    name: 'Facebook',
    scopes: FACEBOOK_SCOPES,
    rules: RULES,
    // Page tokens do not expire: a health check validates them (debug_token) on the configured cadence.
    tokenPolicy: () => ({ renewal: 'validate' }),
    refresh: (login, credentials) => login.refresh(credentials),

    async listTargets(login, tokens, identity) {
      const pages = await login.pages(tokens.accessToken);
      if (pages.kind !== 'ok') return pages;
      const postable = pages.value.filter((p) => !p.tasks || p.tasks.includes('CREATE_CONTENT'));
      return ok(
        postable.map((page) => ({
          kind: 'page' as const,
          externalId: page.id,
          handle: page.name,
          displayName: page.name,
          avatarUrl: page.picture?.data?.url,
          meta: { userId: identity.externalId },
          // Page tokens carry no expiry; the data-access deadline is the user's.
          tokens: { accessToken: page.access_token, dataAccessLifetimeSec: tokens.dataAccessLifetimeSec, scopes: tokens.scopes },
        })),
      );
    },

    async publish(login, account, credentials, post) {
      const pageId = encodeURIComponent(account.externalId);
      const token = credentials.accessToken;
      const call = (path: string, form: Record<string, string>, idempotencyKey?: string) =>
        http.json(
          { method: 'POST', url: `${login.graph}/${pageId}/${path}`, form: { ...form, access_token: token }, idempotencyKey, timeoutMs: 60_000 },
          { schema: postSchema, classify: login.classify, what: 'the post' },
        );
      const { images, video } = mediaOf(post);
      if (video) {
        const result = await call('videos', { file_url: video.url, description: post.text }, post.idempotencyKey);
        if (result.kind !== 'ok') return result;
        return ok({ externalId: result.value.id, url: `https://www.facebook.com/${account.externalId}/videos/${result.value.id}` });
      }
      let request: { path: string; form: Record<string, string> };
      if (images.length === 1) request = { path: 'photos', form: { url: images[0]!.url, caption: post.text, published: 'true' } };
      else if (images.length === 0) request = { path: 'feed', form: { message: post.text } };
      else {
        // Several photos: each uploaded unpublished (recorded, so a retry reuses it), then one post attaching them all.
        const attached: Record<string, string> = {};
        for (const [index, image] of images.entries()) {
          const photo = await uploadOnce(post, image, 'facebook-photo', async () => {
            const uploaded = await call('photos', { url: image.url, published: 'false' });
            return uploaded.kind === 'ok' ? ok({ ref: uploaded.value.id }) : uploaded;
          });
          if (photo.kind !== 'ok') return photo;
          attached[`attached_media[${index}]`] = JSON.stringify({ media_fbid: photo.value });
        }
        request = { path: 'feed', form: { message: post.text, ...attached } };
      }
      const result = await call(request.path, request.form, post.idempotencyKey);
      if (result.kind !== 'ok') return result;
      const id = result.value.post_id ?? result.value.id;
      // Page post ids are `<pageId>_<postId>`; photo ids stand alone.
      const [owner, postId] = id.includes('_') ? id.split('_', 2) : [account.externalId, id];
      return ok({ externalId: id, url: `https://www.facebook.com/${owner}/posts/${postId}` });
    },
  });
}
