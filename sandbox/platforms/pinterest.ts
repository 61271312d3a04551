// Pinterest API v5: OAuth with HTTP Basic, continuous (rotating) refresh tokens, boards and pins.

import type { Request, Response } from 'express';
import type { PlatformContext } from '../core/context.js';
import { mountConsent } from '../core/consent.js';
import { authenticate, baseUrl, basicAuth, body, field, handler, idempotencyKey, type PlatformErrors } from '../core/http.js';
import type { Grant } from '../core/model.js';
import { issueAccess, issueRefresh, redeemCode, redeemRefresh, tokenEndpointGate } from '../core/oauth.js';
import { mountPostPage, numericId, publish } from '../core/publish.js';
import { pullAndStore, type SandboxMedia } from '../core/media.js';
import { PINTEREST_MEDIA } from '../../platforms/pinterest.js';

/** The image URLs of a Pin's `media_source`: one `image_url`, or `multiple_image_urls` with 2 to 5 items; or what Pinterest says is wrong. */
function pinImageUrls(media: Record<string, unknown>): string[] | string {
  if (media.source_type === 'image_url') {
    return typeof media.url === 'string' && media.url ? [media.url] : "Invalid request: media_source.url is a required property";
  }
  if (media.source_type === 'multiple_image_urls') {
    const items = Array.isArray(media.items) ? (media.items as { url?: unknown }[]) : [];
    if (items.length < 2 || items.length > 5) return 'Invalid request: media_source.items must have 2 to 5 items';
    if (items.some((item) => typeof item.url !== 'string' || !item.url)) return 'Invalid request: every media_source.items entry needs a url';
    return items.map((item) => item.url as string);
  }
  return "Invalid request: media_source.source_type must be one of 'image_url', 'multiple_image_urls', 'image_base64', 'video_id'";
}

function pinError(res: Response, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  res.status(status).set(headers).json({ code, message });
}

export const pinterestErrors: PlatformErrors = {
  unauthorized: (res) => pinError(res, 401, 2, 'Authentication failed.'),
  serverError: (res, status = 500) => pinError(res, status, status === 503 ? 3 : 1, status === 503 ? 'Service unavailable.' : 'Internal error.'),
  rateLimited: (res, resetAt, now) => {
    const seconds = String(Math.max(1, Math.ceil((resetAt - now) / 1000)));
    pinError(res, 429, 8, 'You have exceeded your rate limit. Try again later.', {
      'x-ratelimit-category': 'org_write',
      'x-ratelimit-limit': '1000, 1000;w=60',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': seconds,
      'retry-after': seconds,
    });
  },
  badRequest: (res, message) => pinError(res, 400, 1, message),
  notFound: (res) => pinError(res, 404, 404, 'Not found.'),
};
const errors = () => pinterestErrors;

export function mountPinterest({ state, hosts }: PlatformContext): void {
  const web = hosts.router('www.pinterest.com', pinterestErrors);
  const api = hosts.router('api.pinterest.com', pinterestErrors);
  const client = state.clients.pinterest;

  mountConsent(web, '/oauth/', state, {
    platforms: ['pinterest'],
    scopeSeparator: /[\s,]+/,
    pkce: 'optional',
    denyParams: { error: 'access_denied', error_description: 'The user denied the request.' },
    offline: () => true,
  });
  mountPostPage(web, '/pin/:id/', state, 'pinterest', (p) => p.id ?? '');

  const tokenBody = (grant: Grant, responseType: string) => {
    const access = issueAccess(state, grant);
    const refresh = issueRefresh(state, grant);
    return {
      access_token: access.value,
      refresh_token: refresh.value,
      response_type: responseType,
      token_type: 'bearer',
      expires_in: state.tokens.remainingSec(access),
      refresh_token_expires_in: state.tokens.remainingSec(refresh),
      refresh_token_expires_at: Math.floor((refresh.expiresAt ?? 0) / 1000),
      scope: grant.scopes.join(','),
    };
  };

  const clientOk = (req: Request, res: Response): boolean => {
    const basic = basicAuth(req);
    if (!basic || basic.id !== client.clientId || basic.secret !== client.clientSecret) {
      pinError(res, 401, 2, 'Authentication failed.');
      return false;
    }
    return true;
  };

  api.post(
    '/v5/oauth/token',
    handler(pinterestErrors, async (req, res) => {
      if (tokenEndpointGate(state, 'pinterest', pinterestErrors, res)) return;
      if (!clientOk(req, res)) return;
      const grantType = field(req, 'grant_type');
      if (grantType === 'authorization_code') {
        const code = await redeemCode(state, req, res, {
          platforms: ['pinterest'],
          errors,
          code: field(req, 'code'),
          redirectUri: field(req, 'redirect_uri'),
          codeVerifier: field(req, 'code_verifier'),
          onProblem: () => pinError(res, 400, 1, 'Invalid authorization code.'),
        });
        if (!code) return;
        const grant = state.tokens.createGrant({ platform: 'pinterest', clientId: code.clientId, userId: code.userId, scopes: code.scopes, offline: true });
        res.json(tokenBody(grant, 'authorization_code'));
      } else if (grantType === 'refresh_token') {
        const refreshed = await redeemRefresh(state, req, res, {
          platforms: ['pinterest'],
          errors,
          value: field(req, 'refresh_token'),
          rotate: true,
          // Pinterest does not document this body (platforms.md, UNCONFIRMED); the sandbox uses its auth failure.
          onProblem: () => pinError(res, 401, 2, 'Authentication failed.'),
        });
        if (refreshed) res.json(tokenBody(refreshed.grant, 'refresh_token'));
      } else {
        pinError(res, 400, 1, `Invalid grant_type: ${grantType ?? ''}`);
      }
    }),
  );

  // Real Pinterest supports this for system users only; the sandbox revokes any token it is given.
  api.post(
    '/v5/oauth/token/revoke',
    handler(pinterestErrors, (req, res) => {
      if (!clientOk(req, res)) return;
      const token = state.tokens.find(field(req, 'token'));
      if (token?.platform === 'pinterest') state.tokens.revokeGrant(state.tokens.grant(token), 'revoked');
      res.json({});
    }),
  );

  const auth = (req: Request, res: Response) => authenticate(state, req, res, { platforms: ['pinterest'], errors });

  api.get(
    '/v5/user_account',
    handler(pinterestErrors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      res.json({
        account_type: 'BUSINESS',
        id: a.identity.id,
        username: a.identity.handle,
        profile_image: `${baseUrl(state, req)}${a.identity.avatarPath}`,
        website_url: 'https://example.com',
        business_name: a.identity.displayName,
        board_count: a.identity.boards?.length ?? 0,
        pin_count: state.posts.posts.filter((p) => p.platform === 'pinterest' && p.authorId === a.identity.id).length,
        follower_count: 10,
        following_count: 5,
        monthly_views: 100,
      });
    }),
  );

  api.get(
    '/v5/boards',
    handler(pinterestErrors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      const secret = a.grant.scopes.includes('boards:read_secret');
      const items = (a.identity.boards ?? [])
        .filter((b) => b.privacy === 'PUBLIC' || secret)
        .map((b) => ({
          id: b.id,
          name: b.name,
          description: '',
          privacy: b.privacy,
          owner: { username: a.identity.handle },
          created_at: '2024-01-01T00:00:00',
          pin_count: state.posts.posts.filter((p) => p.platform === 'pinterest' && p.boardId === b.id).length,
        }));
      res.json({ items, bookmark: null });
    }),
  );

  api.post(
    '/v5/pins',
    handler(pinterestErrors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      // Trial access creates Pins only on the API sandbox host, never in production.
      if (state.settings.pinterestAccess === 'trial') {
        pinError(res, 403, 29, 'Apps with Trial access may not create Pins in production https://api.pinterest.com - use API Sandbox https://api-sandbox.pinterest.com instead.');
        return;
      }
      const input = body(req);
      const boardId = typeof input.board_id === 'string' ? input.board_id : undefined;
      const media = (input.media_source ?? {}) as Record<string, unknown>;
      const description = typeof input.description === 'string' ? input.description : '';
      const title = typeof input.title === 'string' ? input.title : '';
      if (!boardId) {
        pinterestErrors.badRequest(res, "Invalid request: board_id is a required property");
        return;
      }
      const urls = pinImageUrls(media);
      if (typeof urls === 'string') {
        pinterestErrors.badRequest(res, urls);
        return;
      }
      if ([...description].length > 800 || [...title].length > 100) {
        pinterestErrors.badRequest(res, 'Invalid request: title is limited to 100 and description to 800 characters');
        return;
      }
      const board = a.identity.boards?.find((b) => b.id === boardId);
      if (!board) {
        pinError(res, 404, 4002, 'Board not found.');
        return;
      }
      const link = typeof input.link === 'string' ? input.link : undefined;
      const images: SandboxMedia[] = [];
      for (const [index, url] of urls.entries()) {
        const pulled = await pullAndStore(state, url, PINTEREST_MEDIA.image!, { platform: 'pinterest', ownerId: a.identity.id });
        if (!pulled.ok) {
          const which = urls.length > 1 ? `media_source.items[${index}]` : 'media_source.url';
          pinterestErrors.badRequest(res, pulled.problem === 'unreachable' ? `Sorry! We could not fetch the image at ${which}.` : pulled.problem === 'tooLarge' ? `The image at ${which} is too large. ${pulled.detail}` : `The image at ${which} is not a supported format. ${pulled.detail}`);
          return;
        }
        images.push(pulled.media);
      }
      const altText = typeof input.alt_text === 'string' ? input.alt_text : undefined;
      const result = publish(state, {
        platform: 'pinterest',
        authorId: a.identity.id,
        authorHandle: a.identity.handle,
        text: [title, description].filter(Boolean).join('\n'),
        imageUrls: images.map((image) => image.path),
        imageAlts: images.map((_, index) => (index === 0 ? (altText ?? '') : '')),
        boardId,
        idempotencyKey: idempotencyKey(req),
        makeId: () => numericId(18),
        makePath: (id) => `/www.pinterest.com/pin/${id}/`,
      });
      const post = result.post;
      const base = baseUrl(state, req);
      res.status(201).json({
        id: post.id,
        created_at: new Date(post.createdAt).toISOString().replace(/\.\d{3}Z$/, ''),
        link: link ?? null,
        title,
        description,
        alt_text: altText ?? null,
        board_id: boardId,
        board_section_id: null,
        board_owner: { username: a.identity.handle },
        media:
          post.imageUrls.length > 1
            ? { media_type: 'multiple_images', items: post.imageUrls.map((url) => ({ item_type: 'image', images: { originals: { url: `${base}${url}` } } })) }
            : { media_type: 'image', images: { originals: { url: `${base}${post.imageUrls[0]}` } } },
        pin_metrics: null,
      });
    }),
  );
}
