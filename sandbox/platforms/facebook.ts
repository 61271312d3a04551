// Facebook Pages: Page tokens from /me/accounts, posting to /{page-id}/feed and /photos, permissions.

import type { Response } from 'express';
import type { PlatformContext } from '../core/context.js';
import { handler, idempotencyKey, param, type Authenticated, pathParam } from '../core/http.js';
import type { Grant, SandboxIdentity, TokenRecord } from '../core/model.js';
import { issueAccess } from '../core/oauth.js';
import { mountPostPage, numericId, publish } from '../core/publish.js';
import type { SandboxState } from '../core/state.js';
import { baseUrl } from '../core/http.js';
import { FACEBOOK_MEDIA } from '../../platforms/facebook.js';
import { pullAndStore, type SandboxMedia } from '../core/media.js';
import { facebookErrors, graphAuth, graphError, META_PLATFORMS, metaErrorsOf, requestedFields } from './meta.js';

type Page = NonNullable<SandboxIdentity['pages']>[number];

export function grantedPages(identity: SandboxIdentity, grant: Grant): Page[] {
  return (identity.pages ?? []).filter((p) => !grant.targetIds || grant.targetIds.includes(p.id));
}

/**
 * The Page token for a user token: never expires when the user token is long-lived, otherwise
 * lives as long as the user token. One live Page token per Page and grant is reused.
 */
export function pageToken(state: SandboxState, userToken: TokenRecord, page: Page): TokenRecord {
  const grant = state.tokens.grant(userToken);
  const existing = state.tokens
    .ofGrant(grant.id)
    .find((t) => t.targetId === page.id && state.tokens.status(t) === 'ok' && (userToken.longLived ? t.expiresAt === undefined : true));
  if (existing) return existing;
  return issueAccess(state, grant, { targetId: page.id, lifetimeSec: userToken.longLived ? undefined : state.tokens.remainingSec(userToken) });
}

const TASKS = ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'];

interface UnpublishedPhoto {
  id: string;
  pageId: string;
  media: SandboxMedia;
}

export function mountFacebook({ state, hosts }: PlatformContext): void {
  const graph = hosts.router('graph.facebook.com', facebookErrors, { stripVersion: true });
  const web = hosts.router('www.facebook.com', facebookErrors, { stripVersion: true });
  const photos = () => state.bag<UnpublishedPhoto>('facebook-photos');

  const listAccounts = handler(facebookErrors, async (req, res) => {
    const auth = await graphAuth(state, req, res, META_PLATFORMS, metaErrorsOf);
    if (!auth) return;
    if (pathParam(req, 'userId') && pathParam(req, 'userId') !== auth.identity.id) {
      graphError(res, 400, { message: '(#100) Tried accessing nonexisting field (accounts)', code: 100 });
      return;
    }
    if (auth.token.targetId) {
      graphError(res, 400, { message: '(#100) Tried accessing nonexisting field (accounts) on node type (Page)', code: 100 });
      return;
    }
    const fields = requestedFields(req) ?? new Set(['access_token', 'category', 'name', 'id', 'tasks']);
    const data = grantedPages(auth.identity, auth.grant).map((page) => {
      const entry: Record<string, unknown> = { id: page.id };
      if (fields.has('name')) entry.name = page.name;
      if (fields.has('category')) entry.category = page.category;
      if (fields.has('tasks')) entry.tasks = TASKS;
      if (fields.has('access_token')) entry.access_token = pageToken(state, auth.token, page).value;
      if (fields.has('instagram_business_account') && page.instagram) entry.instagram_business_account = { id: page.instagram.id };
      return entry;
    });
    res.json({ data, paging: { cursors: { before: 'QVFIUmN1', after: 'QVFIUmN2' } } });
  });
  graph.get('/me/accounts', listAccounts);
  graph.get('/:userId/accounts', listAccounts);

  const removePermissions = handler(facebookErrors, async (req, res) => {
    const auth = await graphAuth(state, req, res, META_PLATFORMS, metaErrorsOf);
    if (!auth) return;
    const permission = pathParam(req, 'permission');
    if (permission) auth.grant.scopes = auth.grant.scopes.filter((s) => s !== permission);
    else state.tokens.revokeGrant(auth.grant, 'revoked');
    res.json({ success: true });
  });
  graph.delete('/me/permissions', removePermissions);
  graph.delete('/me/permissions/:permission', removePermissions);
  graph.delete('/:userId/permissions', removePermissions);
  graph.delete('/:userId/permissions/:permission', removePermissions);

  /** Posting as a Page needs that Page's token. */
  const pageAuth = async (req: Parameters<typeof graphAuth>[1], res: Response): Promise<(Authenticated & { page: Page }) | undefined> => {
    const auth = await graphAuth(state, req, res, ['facebook'], () => facebookErrors);
    if (!auth) return undefined;
    const page = auth.identity.pages?.find((p) => p.id === pathParam(req, 'pageId'));
    if (!page || auth.token.targetId !== page.id) {
      graphError(res, 403, {
        message: '(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission',
        code: 200,
      });
      return undefined;
    }
    return { ...auth, page };
  };

  const postToPage = (res: Response, auth: Authenticated & { page: Page }, text: string, images: SandboxMedia[], key: string | undefined, video?: SandboxMedia) => {
    const result = publish(state, {
      platform: 'facebook',
      authorId: auth.page.id,
      authorHandle: auth.page.name,
      text,
      imageUrls: images.map((m) => m.path),
      ...(video ? { videoUrl: video.path } : {}),
      idempotencyKey: key,
      rejectDuplicateContent: images.length === 0 && !video,
      makeId: () => (video ? numericId(16) : `${auth.page.id}_${numericId(16)}`),
      makePath: (id) => (video ? `/www.facebook.com/${auth.page.id}/videos/${id}` : `/www.facebook.com/${auth.page.id}/posts/${id.split('_')[1]}`),
    });
    if (result.kind === 'duplicateContent') {
      graphError(res, 400, {
        message: 'Duplicate status message',
        code: 506,
        error_subcode: 1455006,
        is_transient: false,
        error_user_title: 'Duplicate Post',
        error_user_msg: 'This status update is identical to the last one you posted. Try posting something different, or delete your previous update.',
      });
      return undefined;
    }
    return result.post;
  };

  graph.post(
    '/:pageId/feed',
    handler(facebookErrors, async (req, res) => {
      const auth = await pageAuth(req, res);
      if (!auth) return;
      const message = param(req, 'message') ?? '';
      const link = param(req, 'link');
      const attached: SandboxMedia[] = [];
      for (let i = 0; param(req, `attached_media[${i}]`) !== undefined; i += 1) {
        let fbid: unknown;
        try {
          fbid = (JSON.parse(param(req, `attached_media[${i}]`) ?? '') as { media_fbid?: unknown }).media_fbid;
        } catch {
          fbid = undefined;
        }
        const photo = typeof fbid === 'string' ? photos().get(fbid) : undefined;
        if (!photo || photo.pageId !== auth.page.id) {
          graphError(res, 400, { message: `(#100) param attached_media[${i}] must be an unpublished photo of this Page`, code: 100 });
          return;
        }
        attached.push(photo.media);
      }
      if (!message && !link && attached.length === 0) {
        graphError(res, 400, { message: '(#100) Missing message or attachment', code: 100 });
        return;
      }
      if (message.length > 63_206) {
        graphError(res, 400, { message: '(#100) Param message must be at most 63206 characters long', code: 100 });
        return;
      }
      const post = postToPage(res, auth, link ? `${message}\n${link}`.trim() : message, attached, idempotencyKey(req));
      if (post) res.json({ id: post.id });
    }),
  );

  graph.post(
    '/:pageId/photos',
    handler(facebookErrors, async (req, res) => {
      const auth = await pageAuth(req, res);
      if (!auth) return;
      const url = param(req, 'url');
      if (!url) {
        graphError(res, 400, { message: '(#324) Requires upload file', code: 324 });
        return;
      }
      const media = await pulled(res, auth.page.id, url, 'image');
      if (!media) return;
      if (param(req, 'published') === 'false') {
        const id = numericId(16);
        photos().set(id, { id, pageId: auth.page.id, media });
        res.json({ id });
        return;
      }
      const post = postToPage(res, auth, param(req, 'caption') ?? param(req, 'message') ?? '', [media], idempotencyKey(req));
      if (post) res.json({ id: numericId(16), post_id: post.id });
    }),
  );

  graph.post(
    '/:pageId/videos',
    handler(facebookErrors, async (req, res) => {
      const auth = await pageAuth(req, res);
      if (!auth) return;
      const url = param(req, 'file_url');
      if (!url) {
        graphError(res, 400, { message: '(#100) file_url or source is required', code: 100 });
        return;
      }
      const media = await pulled(res, auth.page.id, url, 'video');
      if (!media) return;
      const post = postToPage(res, auth, param(req, 'description') ?? '', [], idempotencyKey(req), media);
      if (post) res.json({ id: post.id });
    }),
  );

  /** Facebook fetches `url` like its crawler: unreachable, too large or not a supported format is its 400. */
  const pulled = async (res: Response, pageId: string, url: string, kind: 'image' | 'video'): Promise<SandboxMedia | undefined> => {
    const limits = kind === 'image' ? FACEBOOK_MEDIA.image! : FACEBOOK_MEDIA.video!;
    const pulled = await pullAndStore(state, url, limits, { platform: 'facebook', ownerId: pageId });
    if (pulled.ok) return pulled.media;
    if (pulled.problem === 'tooLarge') graphError(res, 400, { message: `(#100) The ${kind} file is too large. ${pulled.detail}`, code: 100, error_subcode: 1366046 });
    else if (pulled.problem === 'unreachable') graphError(res, 400, { message: `(#324) Missing or invalid image file: the ${kind} URL could not be fetched`, code: 324 });
    else graphError(res, 400, { message: kind === 'image' ? '(#324) Missing or invalid image file' : "(#352) The video file you selected is in a format that we don't support.", code: kind === 'image' ? 324 : 352 });
    return undefined;
  };

  mountPostPage(web, '/:pageId/posts/:postId', state, 'facebook', (p) => `${p.pageId}_${p.postId}`);
  mountPostPage(web, '/:pageId/videos/:id', state, 'facebook', (p) => p.id ?? '');
}

/** Fields of a Facebook Page object for GET /{page-id}. */
export function pageObject(
  state: SandboxState,
  req: Parameters<typeof baseUrl>[1],
  auth: Authenticated,
  page: Page,
  fields: Set<string> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: page.id };
  const want = fields ?? new Set(['name']);
  if (want.has('name')) out.name = page.name;
  if (want.has('category')) out.category = page.category;
  if (want.has('instagram_business_account') && page.instagram) out.instagram_business_account = { id: page.instagram.id };
  if (want.has('picture')) out.picture = { data: { url: `${baseUrl(state, req)}/_sandbox/avatar/facebook/${page.id}.svg` } };
  if (want.has('access_token') && !auth.token.targetId) out.access_token = pageToken(state, auth.token, page).value;
  return out;
}
