// Facebook Pages: Facebook Login, then a choice of Pages, each posted to with its own Page token.
// Page tokens from a long-lived user token do not expire; a health check validates them (debug_token).

import { z } from 'zod';
import { createMetaAdapter, type MetaOptions } from './meta-adapter.js';
import type { AdapterDeps } from './oauth.js';
import { ok } from './outcome.js';
import type { PlatformAdapter, PostRules } from './types.js';

export const FACEBOOK_SCOPES = ['pages_show_list', 'pages_read_engagement', 'pages_manage_posts'];
const RULES: PostRules = { maxLength: 63_206, lengthUnit: 'characters', requiresImage: false, requiresBoard: false };

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
      const request = post.imageUrl
        ? { url: `${login.graph}/${pageId}/photos`, form: { url: post.imageUrl, caption: post.text, published: 'true', access_token: credentials.accessToken } }
        : { url: `${login.graph}/${pageId}/feed`, form: { message: post.text, access_token: credentials.accessToken } };
      const result = await http.json(
        { method: 'POST', ...request, idempotencyKey: post.idempotencyKey },
        { schema: postSchema, classify: login.classify, what: 'the post' },
      );
      if (result.kind !== 'ok') return result;
      const id = result.value.post_id ?? result.value.id;
      // Page post ids are `<pageId>_<postId>`; photo ids stand alone.
      const [owner, postId] = id.includes('_') ? id.split('_', 2) : [account.externalId, id];
      return ok({ externalId: id, url: `https://www.facebook.com/${owner}/posts/${postId}` });
    },
  });
}
