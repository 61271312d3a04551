// Instagram API with Facebook Login: IG business accounts linked to Pages, container + publish.

import type { Request, Response } from 'express';
import type { PlatformContext } from '../core/context.js';
import { baseUrl, handler, idempotencyKey, param, type Authenticated, pathParam } from '../core/http.js';
import type { SandboxIdentity } from '../core/model.js';
import { mountPostPage, numericId, publish } from '../core/publish.js';
import type { SandboxState } from '../core/state.js';
import type { InstagramContainerStatus } from '../api-types.js';
import { INSTAGRAM_MEDIA } from '../../platforms/instagram.js';
import { carouselChildren, containerFiles, mediaProcessing, pullContainerMedia, videosReady, type MediaContainer } from './container-media.js';

export type { MediaContainer } from './container-media.js';
import { grantedPages } from './facebook.js';
import { graphAuth, graphError, instagramErrors, metaErrorsOf, objectNotFound } from './meta.js';

type Page = NonNullable<SandboxIdentity['pages']>[number];
type IgAccount = NonNullable<Page['instagram']>;

/** Posts an account published on a platform in the last 24 hours (the publishing caps count these). */
export function publishedInLastDay(state: SandboxState, platform: 'instagram' | 'threads', authorId: string): number {
  const dayAgo = state.clock.now() - 86_400_000;
  return state.posts.posts.filter((p) => p.platform === platform && p.authorId === authorId && p.createdAt > dayAgo).length;
}

/** media_publish / threads_publish: the container becomes a post once; publishing it again answers the same post. */
export function publishContainer(
  state: SandboxState,
  req: Request,
  container: MediaContainer,
  author: { id: string; handle: string },
  makePath: (id: string) => string,
): string {
  const result = publish(state, {
    platform: container.platform,
    authorId: author.id,
    authorHandle: author.handle,
    text: container.text,
    ...containerFiles(container),
    idempotencyKey: idempotencyKey(req) ?? container.idempotencyKey ?? `container:${container.id}`,
    makeId: () => container.publishedId ?? numericId(17),
    makePath,
  });
  container.publishedId = result.post.id;
  return result.post.id;
}

/** Where processing stands: the status after `reads` reads (the last status sticks), and a video's processing. */
export function containerStatus(state: SandboxState, container: MediaContainer): InstagramContainerStatus | 'PUBLISHED' {
  if (container.publishedId) return 'PUBLISHED';
  const statuses = container.statuses ?? ['FINISHED'];
  const configured = statuses[Math.min(container.reads ?? 0, statuses.length - 1)] ?? 'FINISHED';
  if (configured !== 'FINISHED') return configured;
  return mediaProcessing(state, container);
}

/** A status read: reports where processing stands, and processing moves on. */
export function readContainerStatus(state: SandboxState, container: MediaContainer): { status_code: string; status: string } {
  const code = containerStatus(state, container);
  container.reads = (container.reads ?? 0) + 1;
  const status: Record<string, string> = {
    PUBLISHED: 'Published: Media container has been published.',
    FINISHED: 'Finished: Media container is ready to be published.',
    IN_PROGRESS: 'In Progress: Media is still being processed.',
    ERROR: 'Error: 2207003: The media could not be fetched from the URI provided.',
    EXPIRED: 'Expired: The container was not published within 24 hours.',
  };
  return { status_code: code, status: status[code] ?? code };
}

const PUBLISH_CAP = 50;

/** The IG account the token may act for: via a granted Page (user token) or its own Page (Page token). */
export function igAccountOf(auth: Authenticated, igId: string | undefined): { page: Page; account: IgAccount } | undefined {
  for (const page of grantedPages(auth.identity, auth.grant)) {
    if (!page.instagram || page.instagram.id !== igId) continue;
    if (auth.token.targetId && auth.token.targetId !== page.id) return undefined;
    return { page, account: page.instagram };
  }
  return undefined;
}

export function igUserObject(state: SandboxState, req: Request, account: IgAccount, fields: Set<string> | undefined): Record<string, unknown> {
  const want = fields ?? new Set(['username']);
  const out: Record<string, unknown> = { id: account.id };
  if (want.has('username')) out.username = account.username;
  if (want.has('name')) out.name = account.name;
  if (want.has('profile_picture_url')) out.profile_picture_url = `${baseUrl(state, req)}/_sandbox/avatar/instagram/${account.id}.svg`;
  if (want.has('followers_count')) out.followers_count = 1234;
  if (want.has('media_count')) out.media_count = state.posts.posts.filter((p) => p.authorId === account.id).length;
  if (want.has('biography')) out.biography = 'Sandbox Instagram business account';
  return out;
}

export function mountInstagram({ state, hosts }: PlatformContext): void {
  const graph = hosts.router('graph.facebook.com', instagramErrors, { stripVersion: true });
  const web = hosts.router('www.instagram.com', instagramErrors);
  const containers = () => state.bag<MediaContainer>('ig-containers');

  const igAuth = async (req: Request, res: Response, { userTokenOnly = false } = {}) => {
    const auth = await graphAuth(state, req, res, ['instagram'], metaErrorsOf);
    if (!auth) return undefined;
    const owned = igAccountOf(auth, pathParam(req, 'igUserId'));
    if (!owned) {
      objectNotFound(res, pathParam(req, 'igUserId'));
      return undefined;
    }
    // Content publishing takes the app user's User access token, not a Page's.
    if (userTokenOnly && auth.token.targetId) {
      graphError(res, 400, { message: "(#10) Content publishing requires the app user's User access token, not a Page access token", code: 10 });
      return undefined;
    }
    return { ...auth, ...owned };
  };

  graph.post(
    '/:igUserId/media',
    handler(instagramErrors, async (req, res) => {
      const auth = await igAuth(req, res, { userTokenOnly: true });
      if (!auth) return;
      const key = idempotencyKey(req);
      const previous = key ? [...containers().values()].find((c) => c.ownerId === auth.account.id && c.idempotencyKey === key) : undefined;
      if (previous) {
        res.json({ id: previous.id });
        return;
      }
      const imageUrl = param(req, 'image_url');
      const videoUrl = param(req, 'video_url');
      const mediaType = param(req, 'media_type') ?? (videoUrl ? 'VIDEO' : 'IMAGE');
      if (mediaType === 'IMAGE' && !imageUrl) {
        graphError(res, 400, { message: '(#100) The parameter image_url is required.', code: 100 });
        return;
      }
      if ((mediaType === 'VIDEO' || mediaType === 'REELS') && !videoUrl) {
        graphError(res, 400, { message: '(#100) The parameter video_url is required.', code: 100 });
        return;
      }
      let children: MediaContainer[] | undefined;
      if (mediaType === 'CAROUSEL') {
        const found = carouselChildren(containers(), auth.account.id, param(req, 'children'), INSTAGRAM_MEDIA.image!.maxCount);
        if (typeof found === 'string') {
          graphError(res, 400, { message: found, code: 100 });
          return;
        }
        children = found;
      }
      const media = await pullContainerMedia(state, req, res, { platform: 'instagram', ownerId: auth.account.id }, mediaType, INSTAGRAM_MEDIA);
      if (media === false) return;
      const caption = param(req, 'caption') ?? '';
      if (caption.length > 2200) {
        graphError(res, 400, { message: '(#100) Param caption must be at most 2200 characters long.', code: 100 });
        return;
      }
      const container: MediaContainer = {
        id: numericId(17),
        platform: 'instagram',
        ownerId: auth.account.id,
        text: caption,
        ...(media ? { media } : {}),
        ...(children ? { children } : {}),
        carouselItem: param(req, 'is_carousel_item') === 'true',
        idempotencyKey: key,
        statuses: [...state.settings.instagramContainerStatuses],
        reads: 0,
      };
      containers().set(container.id, container);
      res.json({ id: container.id });
    }),
  );

  graph.post(
    '/:igUserId/media_publish',
    handler(instagramErrors, async (req, res) => {
      const auth = await igAuth(req, res, { userTokenOnly: true });
      if (!auth) return;
      const container = containers().get(param(req, 'creation_id') ?? '');
      if (!container || container.ownerId !== auth.account.id) {
        graphError(res, 400, { message: '(#100) Param creation_id must be a valid media container id', code: 100 });
        return;
      }
      const configured = container.publishedId ? 'PUBLISHED' : (container.statuses ?? ['FINISHED'])[Math.min(container.reads ?? 0, (container.statuses ?? ['FINISHED']).length - 1)];
      const status = configured === 'FINISHED' && !videosReady(container) ? 'IN_PROGRESS' : configured;
      if (status === 'IN_PROGRESS' || status === 'ERROR') {
        graphError(res, 400, {
          message: 'Media ID is not available',
          code: 9007,
          error_subcode: 2207027,
          error_user_title: 'Media not ready for publishing',
          error_user_msg: 'The media is not ready for publishing, please wait for a moment',
        });
        return;
      }
      if (status === 'EXPIRED') {
        graphError(res, 400, { message: '(#100) The media container has expired; create a new one', code: 100, error_subcode: 2207008 });
        return;
      }
      if (!container.publishedId) {
        if (publishedInLastDay(state, 'instagram', auth.account.id) >= PUBLISH_CAP) {
          graphError(res, 400, {
            message: 'Application request limit reached',
            code: 9,
            error_subcode: 2207042,
            is_transient: false,
            error_user_title: 'The maximum number of posts that can be published has been reached',
            error_user_msg: `You have reached the maximum of ${PUBLISH_CAP} posts published in 24 hours.`,
          });
          return;
        }
      }
      const id = publishContainer(state, req, container, { id: auth.account.id, handle: auth.account.username }, (postId) => `/www.instagram.com/p/${postId}/`);
      res.json({ id });
    }),
  );

  graph.get(
    '/:igUserId/content_publishing_limit',
    handler(instagramErrors, async (req, res) => {
      const auth = await igAuth(req, res);
      if (!auth) return;
      const usage = publishedInLastDay(state, 'instagram', auth.account.id);
      res.json({ data: [{ quota_usage: usage, config: { quota_total: PUBLISH_CAP, quota_duration: 86400 } }] });
    }),
  );

  mountPostPage(web, '/p/:id/', state, 'instagram', (p) => p.id ?? '');
}
