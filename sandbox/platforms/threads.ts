// Threads: Meta-style login on threads.com, graph.threads.net tokens (exchange/refresh), containers.

import type { Request, Response } from 'express';
import type { PlatformContext } from '../core/context.js';
import { mountConsent } from '../core/consent.js';
import { baseUrl, handler, idempotencyKey, param, pathParam } from '../core/http.js';
import { redeemCode, tokenEndpointGate } from '../core/oauth.js';
import { mountPostPage, numericId } from '../core/publish.js';
import { THREADS_MEDIA } from '../../platforms/threads.js';
import { carouselChildren, mediaProcessing, pullContainerMedia, videosReady } from './container-media.js';
import { publishContainer, publishedInLastDay, type MediaContainer } from './instagram.js';
import { threadsLength } from '../../platforms/post-rules.js';
import {
  codeError,
  exchangeUserToken,
  graphAuth,
  graphError,
  issueShortLived,
  META_DENY,
  metaErrors,
  mountDebugToken,
  objectNotFound,
  requestedFields,
} from './meta.js';

export const threadsErrors = metaErrors(4);
const errors = () => threadsErrors;
const PUBLISH_CAP = 250;

export function mountThreads({ state, hosts }: PlatformContext): void {
  for (const host of ['threads.com', 'threads.net', 'www.threads.com', 'www.threads.net']) {
    const web = hosts.router(host, threadsErrors);
    mountConsent(web, '/oauth/authorize', state, {
      platforms: ['threads'],
      pkce: 'none',
      scopeSeparator: /[\s,]+/,
      denyParams: META_DENY,
      offline: () => false,
    });
    mountPostPage(web, '/@:handle/post/:id', state, 'threads', (p) => p.id ?? '');
  }

  for (const host of ['graph.threads.net', 'graph.threads.com']) {
    const graph = hosts.router(host, threadsErrors, { stripVersion: true });
    const client = state.clients.threads;

    graph.post(
      '/oauth/access_token',
      handler(threadsErrors, async (req, res) => {
        if (tokenEndpointGate(state, 'threads', threadsErrors, res)) return;
        if (param(req, 'client_id') !== client.clientId) {
          graphError(res, 400, { message: 'Error validating application. Invalid application ID.', code: 101 });
          return;
        }
        if (param(req, 'client_secret') !== client.clientSecret) {
          graphError(res, 400, { message: 'Error validating client secret.', code: 1 });
          return;
        }
        if (param(req, 'grant_type') !== 'authorization_code') {
          graphError(res, 400, { message: '(#100) Unsupported grant_type', code: 100 });
          return;
        }
        const code = await redeemCode(state, req, res, {
          platforms: ['threads'],
          errors,
          code: param(req, 'code'),
          clientId: param(req, 'client_id'),
          redirectUri: param(req, 'redirect_uri'),
          onProblem: (problem) => codeError(res, problem),
        });
        if (!code) return;
        const grant = state.tokens.createGrant({
          platform: 'threads',
          clientId: code.clientId,
          userId: code.userId,
          scopes: code.scopes,
          offline: false,
          dataAccessExpiresAt: state.clock.now() + 90 * 86_400_000,
        });
        const token = issueShortLived(state, grant);
        res.json({ access_token: token.value, user_id: Number(code.userId) });
      }),
    );

    const exchange = (grantType: 'th_exchange_token' | 'th_refresh_token') =>
      handler(threadsErrors, async (req: Request, res: Response) => {
        if (tokenEndpointGate(state, 'threads', threadsErrors, res)) return;
        if (param(req, 'grant_type') !== grantType) {
          graphError(res, 400, { message: `(#100) grant_type must be ${grantType}`, code: 100 });
          return;
        }
        if (grantType === 'th_exchange_token' && param(req, 'client_secret') !== client.clientSecret) {
          graphError(res, 400, { message: 'Error validating client secret.', code: 1 });
          return;
        }
        const value = param(req, 'access_token');
        if (grantType === 'th_refresh_token' && state.tokens.find(value)?.longLived === false) {
          graphError(res, 400, { message: '(#100) Only long-lived tokens can be refreshed.', code: 100 });
          return;
        }
        const exchanged = await exchangeUserToken(state, req, res, {
          platforms: ['threads'],
          value,
          errors,
          minAgeSec: grantType === 'th_refresh_token' ? state.settings.threadsMinRefreshAgeSec : undefined,
        });
        if (exchanged) res.json({ access_token: exchanged.token.value, token_type: 'bearer', expires_in: state.tokens.remainingSec(exchanged.token) });
      });
    graph.get('/access_token', exchange('th_exchange_token'));
    graph.get('/refresh_access_token', exchange('th_refresh_token'));

    mountDebugToken(graph, state, ['threads'], errors);

    const userAuth = async (req: Request, res: Response) => {
      const auth = await graphAuth(state, req, res, ['threads'], errors);
      if (!auth) return undefined;
      const id = pathParam(req, 'userId');
      if (id !== 'me' && id !== auth.identity.id) {
        objectNotFound(res, id);
        return undefined;
      }
      return auth;
    };
    const containers = () => state.bag<MediaContainer>('threads-containers');

    graph.post(
      '/:userId/threads',
      handler(threadsErrors, async (req, res) => {
        const auth = await userAuth(req, res);
        if (!auth) return;
        const key = idempotencyKey(req);
        const previous = key ? [...containers().values()].find((c) => c.ownerId === auth.identity.id && c.idempotencyKey === key) : undefined;
        if (previous) {
          res.json({ id: previous.id });
          return;
        }
        const mediaType = param(req, 'media_type') ?? 'TEXT';
        const text = param(req, 'text') ?? '';
        const imageUrl = param(req, 'image_url');
        if (!['TEXT', 'IMAGE', 'VIDEO', 'CAROUSEL'].includes(mediaType)) {
          graphError(res, 400, { message: '(#100) Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}', code: 100 });
          return;
        }
        if (mediaType === 'IMAGE' && !imageUrl) {
          graphError(res, 400, { message: '(#100) The parameter image_url is required.', code: 100 });
          return;
        }
        if (mediaType === 'VIDEO' && !param(req, 'video_url')) {
          graphError(res, 400, { message: '(#100) The parameter video_url is required.', code: 100 });
          return;
        }
        let children: MediaContainer[] | undefined;
        if (mediaType === 'CAROUSEL') {
          const found = carouselChildren(containers(), auth.identity.id, param(req, 'children'), THREADS_MEDIA.image!.maxCount);
          if (typeof found === 'string') {
            graphError(res, 400, { message: found, code: 100 });
            return;
          }
          children = found;
        }
        if (mediaType === 'TEXT' && !text) {
          graphError(res, 400, { message: '(#100) The parameter text is required.', code: 100 });
          return;
        }
        // Threads counts emoji as their UTF-8 bytes toward the 500 (Threads Posts, "Limitations").
        if (threadsLength(text) > 500) {
          graphError(res, 400, { message: '(#100) Param text must be at most 500 characters long.', code: 100 });
          return;
        }
        const media = await pullContainerMedia(state, req, res, { platform: 'threads', ownerId: auth.identity.id }, mediaType, THREADS_MEDIA);
        if (media === false) return;
        const container: MediaContainer = {
          id: numericId(17),
          platform: 'threads',
          ownerId: auth.identity.id,
          text,
          ...(media ? { media } : {}),
          ...(children ? { children } : {}),
          carouselItem: param(req, 'is_carousel_item') === 'true',
          idempotencyKey: key,
        };
        containers().set(container.id, container);
        res.json({ id: container.id });
      }),
    );

    graph.post(
      '/:userId/threads_publish',
      handler(threadsErrors, async (req, res) => {
        const auth = await userAuth(req, res);
        if (!auth) return;
        const container = containers().get(param(req, 'creation_id') ?? '');
        if (!container || container.ownerId !== auth.identity.id) {
          graphError(res, 400, { message: '(#100) Param creation_id must be a valid media container id', code: 100 });
          return;
        }
        if (!container.publishedId && !videosReady(container)) {
          graphError(res, 400, { message: 'Media ID is not available', code: 24, error_subcode: 4279009, error_user_msg: 'The media is not ready for publishing, please wait for a moment' });
          return;
        }
        if (!container.publishedId && publishedInLastDay(state, 'threads', auth.identity.id) >= PUBLISH_CAP) {
          graphError(res, 400, { message: 'Application request limit reached', code: 9, error_subcode: 2207042 });
          return;
        }
        const id = publishContainer(state, req, container, { id: auth.identity.id, handle: auth.identity.handle }, (postId) => `/www.threads.com/@${auth.identity.handle}/post/${postId}`);
        res.json({ id });
      }),
    );

    graph.get(
      '/:userId/threads_publishing_limit',
      handler(threadsErrors, async (req, res) => {
        const auth = await userAuth(req, res);
        if (!auth) return;
        const usage = publishedInLastDay(state, 'threads', auth.identity.id);
        res.json({ data: [{ quota_usage: usage, config: { quota_total: PUBLISH_CAP, quota_duration: 86400 } }] });
      }),
    );

    graph.get(
      '/:userId',
      handler(threadsErrors, async (req, res) => {
        const auth = await graphAuth(state, req, res, ['threads'], errors);
        if (!auth) return;
        const id = (pathParam(req, 'userId') || 'me');
        const fields = requestedFields(req) ?? new Set(['id']);
        const base = baseUrl(state, req);
        if (id === 'me' || id === auth.identity.id) {
          const { identity } = auth;
          const out: Record<string, unknown> = { id: identity.id };
          if (fields.has('username')) out.username = identity.handle;
          if (fields.has('name')) out.name = identity.displayName;
          if (fields.has('threads_profile_picture_url')) out.threads_profile_picture_url = `${base}${identity.avatarPath}`;
          if (fields.has('threads_biography')) out.threads_biography = 'Sandbox Threads profile';
          res.json(out);
          return;
        }
        const post = state.posts.find('threads', id);
        if (post && post.authorId === auth.identity.id) {
          res.json({ id, permalink: `${base}${post.path}`, text: post.text, media_type: post.videoUrl ? 'VIDEO' : post.imageUrls.length > 1 ? 'CAROUSEL_ALBUM' : post.imageUrls.length ? 'IMAGE' : 'TEXT_POST', timestamp: new Date(post.createdAt).toISOString(), username: post.authorHandle });
          return;
        }
        const container = containers().get(id);
        if (container && container.ownerId === auth.identity.id) {
          const status = container.publishedId ? 'PUBLISHED' : mediaProcessing(state, container);
          res.json({ id, status, ...(status === 'ERROR' ? { error_message: 'The video could not be processed.' } : {}) });
          return;
        }
        objectNotFound(res, id);
      }),
    );
  }
}
