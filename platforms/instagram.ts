// Instagram business/creator accounts through Facebook Login: one Instagram account per Page,
// reached with that Page's token. Publishing is a media container, then media_publish.

import { z } from 'zod';
import { createMetaLogin, GRAPH } from './meta-login.js';
import type { AdapterDeps } from './oauth.js';
import { invalid, ok } from './outcome.js';
import { checkPost } from './post-rules.js';
import type { PlatformAdapter, PostRules, Target } from './types.js';

export const INSTAGRAM_SCOPES = ['instagram_basic', 'instagram_content_publish', 'pages_show_list', 'pages_read_engagement'];
const RULES: PostRules = { maxLength: 2_200, lengthUnit: 'characters', requiresImage: true, requiresBoard: false };

const pageLinkSchema = z.looseObject({ id: z.string().optional(), instagram_business_account: z.looseObject({ id: z.string().min(1) }).optional() });
const igUserSchema = z.looseObject({
  id: z.string().min(1),
  username: z.string().min(1),
  name: z.string().optional(),
  profile_picture_url: z.string().optional(),
});
const idSchema = z.looseObject({ id: z.string().min(1) });
const permalinkSchema = z.looseObject({ permalink: z.string().optional() });

export function createInstagramAdapter(deps: AdapterDeps): PlatformAdapter {
  const { http } = deps;
  const name = 'Instagram';
  const login = createMetaLogin(deps, INSTAGRAM_SCOPES);

  return {
    id: 'instagram',
    displayName: name,
    connect: 'oauth',
    usesPkce: false,
    hasTargetChoice: true,

    tokenPolicy: () => ({ renewal: 'validate' }),
    postRules: () => RULES,
    validatePost: (post) => checkPost(name, RULES, post, 'caption'),

    authorizationUrl: ({ state, redirectUri }) => login.authorizationUrl(state, redirectUri),
    exchangeCode: ({ code, redirectUri }) => login.exchangeCode(code, redirectUri),
    identity: (tokens) => login.me(tokens.accessToken),

    async listTargets(tokens, identity) {
      const pages = await login.pages(tokens.accessToken);
      if (pages.kind !== 'ok') return pages;
      const targets: Target[] = [];
      for (const page of pages.value) {
        const link = await http.json(
          { method: 'GET', url: `${GRAPH}/${encodeURIComponent(page.id)}`, query: { fields: 'instagram_business_account', access_token: page.access_token } },
          { schema: pageLinkSchema, classify: login.classify, what: 'the Page lookup' },
        );
        if (link.kind !== 'ok') return link;
        const igId = link.value.instagram_business_account?.id;
        if (!igId) continue;
        const user = await http.json(
          {
            method: 'GET',
            url: `${GRAPH}/${encodeURIComponent(igId)}`,
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
          tokens: { accessToken: page.access_token, dataAccessLifetimeSec: tokens.dataAccessLifetimeSec, scopes: tokens.scopes },
        });
      }
      return ok(targets);
    },

    refresh: (_account, credentials) => login.refresh(credentials),
    validate: (_account, credentials) => login.validate(credentials),
    revoke: (account, credentials) => login.revoke(account, credentials),

    async publish(account, credentials, post) {
      const problems = checkPost(name, RULES, post, 'caption');
      if (problems.length > 0) return invalid(problems.join('; '));
      const igId = encodeURIComponent(account.externalId);
      const container = await http.json(
        {
          method: 'POST',
          url: `${GRAPH}/${igId}/media`,
          form: { image_url: post.imageUrl, caption: post.text, access_token: credentials.accessToken },
          idempotencyKey: post.idempotencyKey,
        },
        { schema: idSchema, classify: login.classify, what: 'the media upload' },
      );
      if (container.kind !== 'ok') return container;
      const published = await http.json(
        {
          method: 'POST',
          url: `${GRAPH}/${igId}/media_publish`,
          form: { creation_id: container.value.id, access_token: credentials.accessToken },
          idempotencyKey: post.idempotencyKey,
        },
        { schema: idSchema, classify: login.classify, what: 'the post' },
      );
      if (published.kind !== 'ok') return published;
      const mediaId = published.value.id;
      // The permalink is a convenience; the post exists even when this lookup fails.
      const link = await http.json(
        { method: 'GET', url: `${GRAPH}/${encodeURIComponent(mediaId)}`, query: { fields: 'permalink', access_token: credentials.accessToken } },
        { schema: permalinkSchema, classify: login.classify, what: 'the post link' },
      );
      const url = (link.kind === 'ok' && link.value.permalink) || `https://www.instagram.com/${encodeURIComponent(account.handle)}/`;
      return ok({ externalId: mediaId, url });
    },
  };
}
