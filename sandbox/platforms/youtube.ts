// YouTube: Google OAuth 2.0 (optional PKCE, offline access), channels.list, videos.insert (resumable
// upload) and the watch page.

import type { Request, Response } from 'express';
import type { PlatformContext } from '../core/context.js';
import { mountConsent } from '../core/consent.js';
import { applyFaults, authenticate, baseUrl, endpointName, handler, param, queryParam, type PlatformErrors } from '../core/http.js';
import { issueAccess, issueRefresh, redeemCode, redeemRefresh, tokenEndpointGate } from '../core/oauth.js';
import type { SandboxState } from '../core/state.js';
import { mountPostPage } from '../core/publish.js';
import { mountYouTubeUpload } from './youtube-upload.js';

interface GoogleErrorItem {
  message: string;
  domain: string;
  reason: string;
  location?: string;
  locationType?: string;
}

function googleError(res: Response, code: number, message: string, item: Omit<GoogleErrorItem, 'message'>, status?: string): void {
  res.status(code).json({ error: { code, message, errors: [{ message, ...item }], ...(status ? { status } : {}) } });
}

export const youtubeErrors: PlatformErrors = {
  unauthorized: (res) =>
    googleError(
      res,
      401,
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      { domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' },
      'UNAUTHENTICATED',
    ),
  serverError: (res, status = 503) =>
    googleError(res, status, status === 503 ? 'The service is currently unavailable.' : 'Internal error encountered.', { domain: 'global', reason: 'backendError' }, status === 503 ? 'UNAVAILABLE' : 'INTERNAL'),
  rateLimited: (res) =>
    googleError(
      res,
      403,
      'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
      { domain: 'youtube.quota', reason: 'quotaExceeded' },
    ),
  badRequest: (res, message) => googleError(res, 400, message, { domain: 'global', reason: 'badRequest' }, 'INVALID_ARGUMENT'),
  notFound: (res) => googleError(res, 404, 'Not Found', { domain: 'global', reason: 'notFound' }, 'NOT_FOUND'),
};
const errors = () => youtubeErrors;

function oauthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: description });
}

/** Google issues a refresh token on the first offline consent, and again only with prompt=consent. */
function wantsRefreshToken(state: SandboxState, params: Record<string, string>, userId: string): boolean {
  if (params.access_type !== 'offline') return false;
  const consented = state.bag<boolean>('google-offline-consent');
  const first = !consented.has(userId);
  consented.set(userId, true);
  return first || (params.prompt ?? '').split(/\s+/).includes('consent');
}

export function mountYouTube({ state, hosts }: PlatformContext): void {
  const accounts = hosts.router('accounts.google.com', youtubeErrors);
  const oauth = hosts.router('oauth2.googleapis.com', youtubeErrors);
  const apis = hosts.router('www.googleapis.com', youtubeErrors);
  const web = hosts.router('www.youtube.com', youtubeErrors);
  mountYouTubeUpload(apis, state, youtubeErrors, googleError);
  mountPostPage(web, '/watch', state, 'youtube', (p) => p.v ?? '');
  const client = state.clients.youtube;

  mountConsent(accounts, '/o/oauth2/v2/auth', state, {
    platforms: ['youtube'],
    pkce: 'optional',
    denyParams: { error: 'access_denied' },
    offline: (params, _platform, identity) => wantsRefreshToken(state, params, identity.id),
  });

  const clientOk = (req: Request, res: Response): boolean => {
    const id = param(req, 'client_id');
    if (id !== client.clientId) {
      oauthError(res, 401, 'invalid_client', 'The OAuth client was not found.');
      return false;
    }
    if (param(req, 'client_secret') !== client.clientSecret) {
      oauthError(res, 401, 'invalid_client', 'Unauthorized');
      return false;
    }
    return true;
  };

  oauth.post(
    '/token',
    handler(youtubeErrors, async (req, res) => {
      if (tokenEndpointGate(state, 'youtube', youtubeErrors, res)) return;
      const grantType = param(req, 'grant_type');
      if (!grantType) {
        oauthError(res, 400, 'unsupported_grant_type', 'Invalid grant_type: ');
        return;
      }
      if (!clientOk(req, res)) return;
      if (grantType === 'authorization_code') {
        if (!param(req, 'code')) {
          oauthError(res, 400, 'invalid_request', 'Missing required parameter: code');
          return;
        }
        const code = await redeemCode(state, req, res, {
          platforms: ['youtube'],
          errors,
          code: param(req, 'code'),
          clientId: param(req, 'client_id'),
          redirectUri: param(req, 'redirect_uri'),
          codeVerifier: param(req, 'code_verifier'),
          onProblem: (problem) =>
            problem === 'redirect'
              ? oauthError(res, 400, 'redirect_uri_mismatch', 'Bad Request')
              : problem === 'pkce'
                ? oauthError(res, 400, 'invalid_grant', 'Invalid code verifier.')
                : oauthError(res, 400, 'invalid_grant', 'Bad Request'),
        });
        if (!code) return;
        const grant = state.tokens.createGrant({ platform: 'youtube', clientId: code.clientId, userId: code.userId, scopes: code.scopes, offline: code.offline });
        const access = issueAccess(state, grant);
        const refresh = grant.offline ? issueRefresh(state, grant) : undefined;
        res.json({
          access_token: access.value,
          expires_in: state.tokens.remainingSec(access),
          ...(refresh ? { refresh_token: refresh.value } : {}),
          scope: grant.scopes.join(' '),
          token_type: 'Bearer',
        });
      } else if (grantType === 'refresh_token') {
        const refreshed = await redeemRefresh(state, req, res, {
          platforms: ['youtube'],
          errors,
          value: param(req, 'refresh_token'),
          clientId: param(req, 'client_id'),
          rotate: false,
          onProblem: (problem) =>
            problem === 'client'
              ? oauthError(res, 401, 'unauthorized_client', 'Unauthorized')
              : oauthError(res, 400, 'invalid_grant', 'Token has been expired or revoked.'),
        });
        if (!refreshed) return;
        const access = issueAccess(state, refreshed.grant);
        res.json({ access_token: access.value, expires_in: state.tokens.remainingSec(access), scope: refreshed.grant.scopes.join(' '), token_type: 'Bearer' });
      } else {
        oauthError(res, 400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
      }
    }),
  );

  oauth.post(
    '/revoke',
    handler(youtubeErrors, (req, res) => {
      const token = state.tokens.find(param(req, 'token'));
      if (!token || token.platform !== 'youtube' || state.tokens.status(token) !== 'ok') {
        oauthError(res, 400, 'invalid_token', 'Token expired or revoked');
        return;
      }
      // Revoking either token ends the whole grant.
      state.tokens.revokeGrant(state.tokens.grant(token), 'revoked');
      res.json({});
    }),
  );

  const tokenInfo = handler(youtubeErrors, async (req, res) => {
    const token = state.tokens.find(param(req, 'access_token'));
    if (token?.platform === 'youtube') {
      // Counted, and subject to injected faults, like the account's other calls.
      const ids = state.relatedIds(token);
      state.counters.call('youtube', ids, endpointName(req));
      if (await applyFaults(state, 'youtube', ids, youtubeErrors, res)) return;
    }
    if (!token || token.platform !== 'youtube' || token.kind !== 'access' || state.tokens.status(token) !== 'ok') {
      oauthError(res, 400, 'invalid_token', 'Invalid Value');
      return;
    }
    const grant = state.tokens.grant(token);
    res.json({
      azp: grant.clientId,
      aud: grant.clientId,
      sub: grant.userId,
      scope: grant.scopes.join(' '),
      exp: String(Math.floor((token.expiresAt ?? 0) / 1000)),
      expires_in: String(state.tokens.remainingSec(token) ?? 0),
      access_type: grant.offline ? 'offline' : 'online',
    });
  });
  oauth.get('/tokeninfo', tokenInfo);
  apis.get('/oauth2/v3/tokeninfo', tokenInfo);

  apis.get(
    '/youtube/v3/channels',
    handler(youtubeErrors, async (req, res) => {
      const auth = await authenticate(state, req, res, { platforms: ['youtube'], errors });
      if (!auth) return;
      const part = queryParam(req, 'part');
      if (!part) {
        googleError(res, 400, "No filter selected. Expected one of: forUsername, mySubscribers, id, managedByMe, mine, forHandle, idParam", {
          domain: 'youtube.parameter',
          reason: 'missingRequiredParameter',
          location: 'part',
          locationType: 'parameter',
        });
        return;
      }
      const channel = auth.identity.channel;
      const mine = queryParam(req, 'mine') === 'true';
      const ids = (queryParam(req, 'id') ?? '').split(',').filter(Boolean);
      const include = channel && (mine || ids.includes(channel.id));
      const thumb = `${baseUrl(state, req)}${auth.identity.avatarPath}`;
      const parts = new Set(part.split(','));
      const items = include
        ? [
            {
              kind: 'youtube#channel',
              etag: `etag-${channel.id}`,
              id: channel.id,
              ...(parts.has('snippet')
                ? {
                    snippet: {
                      title: channel.title,
                      description: `Sandbox channel of ${auth.identity.displayName}`,
                      customUrl: channel.customUrl,
                      publishedAt: '2016-05-01T12:00:00Z',
                      thumbnails: {
                        default: { url: thumb, width: 88, height: 88 },
                        medium: { url: thumb, width: 240, height: 240 },
                        high: { url: thumb, width: 800, height: 800 },
                      },
                      localized: { title: channel.title, description: '' },
                    },
                  }
                : {}),
              ...(parts.has('statistics') ? { statistics: { viewCount: '1000', subscriberCount: '42', hiddenSubscriberCount: false, videoCount: '0' } } : {}),
            },
          ]
        : [];
      res.json({ kind: 'youtube#channelListResponse', etag: 'etag-list', pageInfo: { totalResults: items.length, resultsPerPage: 5 }, items });
    }),
  );

  // A metadata-only videos.insert (no upload) is refused like the real API does.
  apis.post(
    '/youtube/v3/videos',
    handler(youtubeErrors, async (req, res) => {
      const auth = await authenticate(state, req, res, { platforms: ['youtube'], errors });
      if (!auth) return;
      state.counters.bump('youtube', [auth.identity.channel?.id ?? auth.identity.id], 'publishAttempts');
      googleError(res, 400, 'The request does not include the video content.', {
        domain: 'youtube.video',
        reason: 'mediaBodyRequired',
        location: 'body',
        locationType: 'other',
      });
    }),
  );
}
