// X: OAuth 2.0 with required PKCE (confidential client, HTTP Basic), API v2 users/me and tweets.

import type { Response } from 'express';
import twitterText from 'twitter-text';
import type { PlatformContext } from '../core/context.js';
import { mountConsent } from '../core/consent.js';
import { authenticate, basicAuth, body, field, handler, idempotencyKey, queryParam, type PlatformErrors } from '../core/http.js';
import { issueAccess, issueRefresh, redeemCode, redeemRefresh, tokenEndpointGate } from '../core/oauth.js';
import { mountPostPage, numericId, publish } from '../core/publish.js';
import { mountXMedia, xMediaForPost } from './x-media.js';

function problem(res: Response, status: number, title: string, detail = title, headers: Record<string, string> = {}): void {
  res.status(status).set(headers).type('application/problem+json').send(JSON.stringify({ title, detail, type: 'about:blank', status }));
}

export const xErrors: PlatformErrors = {
  unauthorized: (res) => problem(res, 401, 'Unauthorized'),
  serverError: (res, status = 503) => problem(res, status, status === 500 ? 'Internal Server Error' : 'Service Unavailable'),
  rateLimited: (res, resetAt) =>
    problem(res, 429, 'Too Many Requests', 'Too Many Requests', {
      'x-rate-limit-limit': '100',
      'x-rate-limit-remaining': '0',
      'x-rate-limit-reset': String(Math.ceil(resetAt / 1000)),
    }),
  badRequest: (res, message) =>
    res.status(400).json({
      errors: [{ message }],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    }),
  notFound: (res) => res.status(404).json({ errors: [{ message: 'Sorry, that page does not exist', code: 34 }] }),
};

function oauthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: description });
}

const LONG_POST_TIERS = new Set(['Basic', 'Premium', 'PremiumPlus']);

export function mountX({ state, hosts }: PlatformContext): void {
  const web = hosts.router('x.com', xErrors);
  const api = hosts.router('api.x.com', xErrors);
  const errors = () => xErrors;

  mountConsent(web, '/i/oauth2/authorize', state, {
    platforms: ['x'],
    pkce: 'required',
    denyParams: { error: 'access_denied' },
    offline: (params) => (params.scope ?? '').split(/\s+/).includes('offline.access'),
  });
  mountPostPage(web, '/:handle/status/:id', state, 'x', (p) => p.id ?? '');

  /** Confidential client: HTTP Basic is required on token and revoke calls. */
  const clientOk = (res: Response, req: Parameters<typeof basicAuth>[0]): boolean => {
    const basic = basicAuth(req);
    const client = state.clients.x;
    if (!basic) {
      oauthError(res, 401, 'unauthorized_client', 'Missing valid authorization header');
      return false;
    }
    if (basic.id !== client.clientId || basic.secret !== client.clientSecret) {
      oauthError(res, 401, 'unauthorized_client', 'Missing valid authorization header');
      return false;
    }
    const bodyClient = field(req, 'client_id');
    if (bodyClient !== undefined && bodyClient !== client.clientId) {
      oauthError(res, 400, 'invalid_request', 'Value passed for the client_id was invalid.');
      return false;
    }
    return true;
  };

  const tokenResponse = (res: Response, grant: Parameters<typeof issueAccess>[1]) => {
    const access = issueAccess(state, grant);
    const refresh = grant.offline ? issueRefresh(state, grant) : undefined;
    res.json({
      token_type: 'bearer',
      expires_in: state.tokens.remainingSec(access),
      access_token: access.value,
      scope: grant.scopes.join(' '),
      ...(refresh ? { refresh_token: refresh.value } : {}),
    });
  };

  api.post(
    '/2/oauth2/token',
    handler(xErrors, async (req, res) => {
      if (tokenEndpointGate(state, 'x', xErrors, res)) return;
      if (!clientOk(res, req)) return;
      const grantType = field(req, 'grant_type');
      if (grantType === 'authorization_code') {
        const code = await redeemCode(state, req, res, {
          platforms: ['x'],
          errors,
          code: field(req, 'code'),
          redirectUri: field(req, 'redirect_uri'),
          codeVerifier: field(req, 'code_verifier'),
          onProblem: () => oauthError(res, 400, 'invalid_request', 'Value passed for the authorization code was invalid.'),
        });
        if (!code) return;
        tokenResponse(res, state.tokens.createGrant({ platform: 'x', clientId: code.clientId, userId: code.userId, scopes: code.scopes, offline: code.offline }));
      } else if (grantType === 'refresh_token') {
        const refreshed = await redeemRefresh(state, req, res, {
          platforms: ['x'],
          errors,
          value: field(req, 'refresh_token'),
          rotate: true,
          onProblem: () => oauthError(res, 400, 'invalid_request', 'Value passed for the token was invalid.'),
        });
        if (refreshed) tokenResponse(res, refreshed.grant);
      } else {
        oauthError(res, 400, 'invalid_request', grantType ? 'Value passed for the grant_type was invalid.' : 'Missing required parameter [grant_type].');
      }
    }),
  );

  api.post(
    '/2/oauth2/revoke',
    handler(xErrors, (req, res) => {
      if (!clientOk(res, req)) return;
      const token = state.tokens.find(field(req, 'token'));
      if (token && token.platform === 'x') state.tokens.revokeGrant(state.tokens.grant(token), 'revoked');
      res.json({ revoked: true });
    }),
  );

  api.get(
    '/2/users/me',
    handler(xErrors, async (req, res) => {
      const auth = await authenticate(state, req, res, { platforms: ['x'], errors });
      if (!auth) return;
      const { identity } = auth;
      const fields = new Set((queryParam(req, 'user.fields') ?? '').split(',').map((f) => f.trim()));
      const base = `${req.protocol}://${req.get('host')}`;
      const data: Record<string, unknown> = { id: identity.id, name: identity.displayName, username: identity.handle };
      if (fields.has('subscription_type')) data.subscription_type = identity.subscriptionType ?? 'None';
      if (fields.has('verified')) data.verified = (identity.verifiedType ?? 'none') !== 'none';
      if (fields.has('verified_type')) data.verified_type = identity.verifiedType ?? 'none';
      if (fields.has('profile_image_url')) data.profile_image_url = `${state.baseUrl(base)}${identity.avatarPath}`;
      if (fields.has('created_at')) data.created_at = '2015-03-14T09:26:53.000Z';
      if (fields.has('description')) data.description = `Sandbox account of ${identity.displayName}`;
      res.json({ data });
    }),
  );

  mountXMedia(api, state, xErrors);

  api.post(
    '/2/tweets',
    handler(xErrors, async (req, res) => {
      const auth = await authenticate(state, req, res, { platforms: ['x'], errors });
      if (!auth) return;
      const input = body(req);
      const text = typeof input.text === 'string' ? input.text : '';
      const media = (input.media as { media_ids?: unknown } | undefined)?.media_ids;
      const mediaIds = Array.isArray(media) ? media.filter((m): m is string => typeof m === 'string') : [];
      if (!text && mediaIds.length === 0) {
        xErrors.badRequest(res, 'Your request must include at least one of text or media.');
        return;
      }
      const attached = xMediaForPost(state, auth.identity.id, mediaIds);
      if (!attached.ok) {
        xErrors.badRequest(res, attached.message);
        return;
      }
      const long = LONG_POST_TIERS.has(auth.identity.subscriptionType ?? 'None');
      const tooLong = long ? [...text].length > 25_000 : twitterText.parseTweet(text).weightedLength > 280;
      if (tooLong) {
        xErrors.badRequest(res, 'Your Tweet text is too long. For more information on how X determines text length see https://github.com/twitter/twitter-text.');
        return;
      }
      const result = publish(state, {
        platform: 'x',
        authorId: auth.identity.id,
        authorHandle: auth.identity.handle,
        text,
        imageUrls: attached.images.map((m) => m.path),
        imageAlts: attached.images.map((m) => m.alt ?? ''),
        videoUrl: attached.video?.path,
        idempotencyKey: idempotencyKey(req),
        rejectDuplicateContent: true,
        makeId: () => numericId(19),
        makePath: (id) => `/x.com/${auth.identity.handle}/status/${id}`,
      });
      if (result.kind === 'duplicateContent') {
        problem(res, 403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
        return;
      }
      res.status(201).json({ data: { id: result.post.id, text: result.post.text, edit_history_tweet_ids: [result.post.id] } });
    }),
  );
}
