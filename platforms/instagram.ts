// Instagram business/creator accounts through Facebook Login: one Instagram account per Page.
// Content publishing takes the app user's User access token (not the Page's): a media container,
// then, once Instagram reports the container FINISHED, media_publish. The user token lives about
// 60 days and is renewed by exchanging it for a fresh long-lived one.

import { z } from 'zod';
import { createMetaAdapter, type MetaOptions } from './meta-adapter.js';
import type { MetaLogin } from './meta-login.js';
import type { AdapterDeps } from './oauth.js';
import { invalid, ok, transient } from './outcome.js';
import type { Outcome, PlatformAdapter, PostRules, Target } from './types.js';

export const INSTAGRAM_SCOPES = ['instagram_basic', 'instagram_content_publish', 'pages_show_list', 'pages_read_engagement'];
const RULES: PostRules = { maxLength: 2_200, lengthUnit: 'characters', requiresImage: true, requiresBoard: false };
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

/** How long to wait for a container: Instagram processes images in seconds; a publish activity has 30 s. */
export interface ContainerPoll {
  intervalMs: number;
  attempts: number;
}
export const DEFAULT_CONTAINER_POLL: ContainerPoll = { intervalMs: 2_000, attempts: 6 };

export function createInstagramAdapter(deps: AdapterDeps, options: MetaOptions & { containerPoll?: ContainerPoll }): PlatformAdapter {
  const { http } = deps;
  const poll = options.containerPoll ?? DEFAULT_CONTAINER_POLL;

  /** Reads the container's status_code until FINISHED, a definite failure, or the attempts run out. */
  async function containerReady(login: MetaLogin, containerId: string, accessToken: string): Promise<Outcome<void>> {
    for (let attempt = 1; attempt <= poll.attempts; attempt += 1) {
      const read = await http.json(
        { method: 'GET', url: `${login.graph}/${encodeURIComponent(containerId)}`, query: { fields: 'status_code,status', access_token: accessToken } },
        { schema: containerSchema, classify: login.classify, what: 'the upload status' },
      );
      if (read.kind !== 'ok') return read;
      const { status_code: code, status } = read.value;
      if (code === 'FINISHED' || code === 'PUBLISHED') return ok(undefined);
      if (code === 'ERROR') return invalid(`Instagram could not process the image${status ? ` (${status.replace(/\.$/, '')})` : ''}; check that the image URL is public and is a JPEG`);
      if (code === 'EXPIRED') return invalid('Instagram let the upload expire before it was published (an upload lasts 24 hours); publish the post again');
      if (attempt < poll.attempts) await new Promise((resolve) => setTimeout(resolve, poll.intervalMs));
    }
    return transient('Instagram is still processing the image; Tether will try again');
  }

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
      const container = await http.json(
        {
          method: 'POST',
          url: `${login.graph}/${igId}/media`,
          form: { image_url: post.imageUrl, caption: post.text, access_token: credentials.accessToken },
          idempotencyKey: post.idempotencyKey,
        },
        { schema: idSchema, classify: login.classify, what: 'the media upload' },
      );
      if (container.kind !== 'ok') return container;
      const ready = await containerReady(login, container.value.id, credentials.accessToken);
      if (ready.kind !== 'ok') return ready;
      const published = await http.json(
        {
          method: 'POST',
          url: `${login.graph}/${igId}/media_publish`,
          form: { creation_id: container.value.id, access_token: credentials.accessToken },
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
