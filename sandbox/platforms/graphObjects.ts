// GET /me and GET /{id} on graph.facebook.com: users, Pages, IG accounts, posts, containers.

import type { PlatformContext } from '../core/context.js';
import { baseUrl, handler, pathParam } from '../core/http.js';
import { grantedPages, pageObject } from './facebook.js';
import { igAccountOf, igUserObject, readContainerStatus, type MediaContainer } from './instagram.js';
import { facebookErrors, graphAuth, META_PLATFORMS, metaErrorsOf, objectNotFound, requestedFields } from './meta.js';

export function mountGraphObjects({ state, hosts }: PlatformContext): void {
  const graph = hosts.router('graph.facebook.com', facebookErrors, { stripVersion: true });

  const read = handler(facebookErrors, async (req, res) => {
    const auth = await graphAuth(state, req, res, META_PLATFORMS, metaErrorsOf);
    if (!auth) return;
    const fields = requestedFields(req);
    const base = baseUrl(state, req);
    const id = (pathParam(req, 'id') || 'me');
    const { identity, token } = auth;

    const page = token.targetId ? identity.pages?.find((p) => p.id === token.targetId) : undefined;
    if (id === 'me' && page) {
      res.json(pageObject(state, req, auth, page, fields));
      return;
    }
    if (id === 'me' || (id === identity.id && !token.targetId)) {
      const want = fields ?? new Set(['name']);
      const out: Record<string, unknown> = { id: identity.id };
      if (want.has('name')) out.name = identity.displayName;
      if (want.has('email')) out.email = identity.email;
      if (want.has('picture')) out.picture = { data: { url: `${base}${identity.avatarPath}`, is_silhouette: false } };
      res.json(out);
      return;
    }
    const ownPage = grantedPages(identity, auth.grant).find((p) => p.id === id && (!token.targetId || token.targetId === p.id));
    if (ownPage) {
      res.json(pageObject(state, req, auth, ownPage, fields));
      return;
    }
    const ig = igAccountOf(auth, id);
    if (ig) {
      res.json(igUserObject(state, req, ig.account, fields));
      return;
    }
    const container = state.bag<MediaContainer>('ig-containers').get(id);
    if (container && igAccountOf(auth, container.ownerId)) {
      res.json({ id, ...readContainerStatus(state, container) });
      return;
    }
    const post = state.posts.posts.find((p) => p.id === id && (p.platform === 'facebook' || p.platform === 'instagram'));
    const ownsPost = post && (grantedPages(identity, auth.grant).some((p) => p.id === post.authorId) || igAccountOf(auth, post.authorId));
    if (post && ownsPost) {
      const created = new Date(post.createdAt).toISOString().replace(/\.\d{3}Z$/, '+0000');
      if (post.platform === 'instagram') {
        res.json({ id, permalink: `${base}${post.path}`, caption: post.text, media_type: post.videoUrl ? 'VIDEO' : post.imageUrls.length > 1 ? 'CAROUSEL_ALBUM' : 'IMAGE', media_url: post.videoUrl ?? post.imageUrls[0], timestamp: created, username: post.authorHandle });
      } else {
        res.json({ id, message: post.text, permalink_url: `${base}${post.path}`, created_time: created });
      }
      return;
    }
    objectNotFound(res, id);
  });

  graph.get('/me', read);
  graph.get('/:id', read);
}
