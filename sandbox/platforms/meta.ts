// What Facebook, Instagram (via Facebook Login) and Threads share: Graph error bodies, the Login
// dialog, the token endpoint, debug_token and object reads (GET /me, GET /{id}).

import { randomBytes } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import type { PlatformId } from '../../platforms/types.js';
import type { PlatformContext } from '../core/context.js';
import { mountConsent } from '../core/consent.js';
import { applyFaults, authenticate, bearer, endpointName, handler, param, queryParam, type AuthFailure, type PlatformErrors } from '../core/http.js';
import type { Grant, TokenRecord } from '../core/model.js';
import { issueAccess, redeemCode, tokenEndpointGate } from '../core/oauth.js';
import { lifetime } from '../core/settings.js';
import type { SandboxState } from '../core/state.js';

export const META_PLATFORMS: PlatformId[] = ['facebook', 'instagram'];

export interface GraphErrorBody {
  message: string;
  type?: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
}

export function graphError(res: Response, status: number, error: GraphErrorBody, headers: Record<string, string> = {}): void {
  if (error.code === 190) res.set('www-authenticate', 'OAuth "Facebook Platform" "invalid_token"');
  res
    .status(status)
    .set(headers)
    .json({ error: { type: 'OAuthException', ...error, fbtrace_id: randomBytes(8).toString('base64url') } });
}

const AUTH_ERRORS: Record<AuthFailure, GraphErrorBody> = {
  missing: { message: 'An active access token must be used to query information about the current user.', code: 2500 },
  invalid: { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 },
  used: { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 },
  expired: { message: 'Error validating access token: Session has expired.', code: 190, error_subcode: 463 },
  revoked: { message: 'Error validating access token: The session was invalidated explicitly using an API call.', code: 190 },
  passwordChanged: {
    message: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
    code: 190,
    error_subcode: 460,
  },
  appRemoved: { message: 'Error validating access token: The user has not authorized application.', code: 190, error_subcode: 458 },
  loggedOut: { message: 'Error validating access token: The session is invalid because the user logged out.', code: 190, error_subcode: 467 },
};

export function authErrorBody(reason: AuthFailure): GraphErrorBody {
  return AUTH_ERRORS[reason];
}

/** Graph errors; `throttleCode` is 32 (Page) for Facebook and 4 (app) for Instagram and Threads. */
export function metaErrors(throttleCode: 4 | 17 | 32): PlatformErrors {
  return {
    unauthorized: (res, reason) => graphError(res, 400, AUTH_ERRORS[reason]),
    serverError: (res, status = 500) =>
      graphError(res, status, { message: 'An unexpected error has occurred. Please retry your request later.', code: 2, is_transient: true }),
    rateLimited: (res, resetAt, now, ids = []) => {
      const minutes = Math.max(1, Math.ceil((resetAt - now) / 60_000));
      const id = ids[1] ?? ids[0] ?? '0';
      const usage = { type: throttleCode === 32 ? 'pages' : 'instagram', call_count: 100, total_cputime: 100, total_time: 100, estimated_time_to_regain_access: minutes };
      const message =
        throttleCode === 32 ? '(#32) Page request limit reached' : throttleCode === 17 ? '(#17) User request limit reached' : '(#4) Application request limit reached';
      graphError(res, 400, { message, code: throttleCode, is_transient: true }, {
        'x-business-use-case-usage': JSON.stringify({ [id]: [usage] }),
        'x-app-usage': JSON.stringify({ call_count: 100, total_cputime: 100, total_time: 100 }),
      });
    },
    badRequest: (res, message) => graphError(res, 400, { message: `(#100) ${message}`, code: 100 }),
    notFound: (res, req) => graphError(res, 400, { message: `Unknown path components: ${req.path}`, code: 2500 }),
  };
}

export const facebookErrors = metaErrors(32);
export const instagramErrors = metaErrors(4);
export const metaErrorsOf = (platform: PlatformId): PlatformErrors => (platform === 'facebook' ? facebookErrors : instagramErrors);

export function objectNotFound(res: Response, id: string): void {
  graphError(res, 400, {
    message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    type: 'GraphMethodException',
    code: 100,
    error_subcode: 33,
  });
}

/** Meta takes the token from `access_token` (query or form) or a Bearer header. */
export function metaToken(req: Request): string | undefined {
  return param(req, 'access_token') ?? bearer(req);
}

export function requestedFields(req: Request): Set<string> | undefined {
  const fields = param(req, 'fields');
  return fields ? new Set(fields.split(',').map((f) => f.trim().replace(/\{.*$/, ''))) : undefined;
}

/** Meta's code dialog deny parameters. */
export const META_DENY = { error: 'access_denied', error_code: '200', error_description: 'Permissions error', error_reason: 'user_denied' };

/** The short-lived user token a code exchange returns. */
export function issueShortLived(state: SandboxState, grant: Grant): TokenRecord {
  return issueAccess(state, grant, { lifetimeSec: lifetime(state.settings, grant.platform, 'shortLivedSec') });
}

export function issueLongLived(state: SandboxState, grant: Grant): TokenRecord {
  return issueAccess(state, grant, { lifetimeSec: lifetime(state.settings, grant.platform, 'accessTokenSec'), longLived: true });
}

/** Checks a client id + secret pair among Meta apps; answers code 1 / 101 when wrong. */
export function metaClient(
  state: SandboxState,
  req: Request,
  res: Response,
  candidates: PlatformId[],
  errors: (p: PlatformId) => PlatformErrors,
): PlatformId | undefined {
  const clientId = param(req, 'client_id');
  const platform = state.platformOfClient(clientId, candidates);
  if (!platform) {
    graphError(res, 400, { message: 'Error validating application. Invalid application ID.', code: 101 });
    return undefined;
  }
  if (tokenEndpointGate(state, platform, errors(platform), res)) return undefined;
  if (param(req, 'client_secret') !== state.clients[platform].clientSecret) {
    graphError(res, 400, { message: 'Error validating client secret.', code: 1 });
    return undefined;
  }
  return platform;
}

const CODE_ERRORS: Record<string, GraphErrorBody> = {
  unknown: { message: 'Invalid verification code format.', code: 100, error_subcode: 36008 },
  used: { message: 'This authorization code has been used.', code: 100, error_subcode: 36009 },
  expired: { message: 'This authorization code has expired.', code: 100, error_subcode: 36007 },
  client: { message: 'Invalid verification code format.', code: 100, error_subcode: 36008 },
  redirect: {
    message: 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
    code: 100,
    error_subcode: 36008,
  },
  pkce: { message: 'Invalid code verifier.', code: 100, error_subcode: 36008 },
};

export function codeError(res: Response, problem: string): void {
  graphError(res, 400, CODE_ERRORS[problem] ?? (CODE_ERRORS.unknown as GraphErrorBody));
}

/**
 * Exchange of a live user token for a new long-lived one (fb_exchange_token / th_exchange_token /
 * th_refresh_token). Counts a refresh; answers Graph 190 errors for dead tokens.
 */
export async function exchangeUserToken(
  state: SandboxState,
  req: Request,
  res: Response,
  options: { platforms: PlatformId[]; value: string | undefined; errors: (p: PlatformId) => PlatformErrors; minAgeSec?: number },
): Promise<{ token: TokenRecord; old: TokenRecord } | undefined> {
  const old = state.tokens.find(options.value);
  const valid = old && old.kind === 'access' && !old.targetId && options.platforms.includes(old.platform);
  const platform = valid ? old.platform : (options.platforms[0] as PlatformId);
  const ids = valid ? state.relatedIds(old) : [];
  state.counters.call(platform, ids, endpointName(req));
  const errors = options.errors(platform);
  if (!valid) {
    errors.unauthorized(res, options.value ? 'invalid' : 'missing');
    return undefined;
  }
  if (await applyFaults(state, platform, ids, errors, res)) return undefined;
  const status = state.tokens.status(old);
  if (status !== 'ok') {
    errors.unauthorized(res, status);
    return undefined;
  }
  if (options.minAgeSec && state.clock.now() - old.issuedAt < options.minAgeSec * 1000) {
    graphError(res, 400, { message: `(#100) The access token must be at least ${Math.round(options.minAgeSec / 3600)} hours old to be refreshed.`, code: 100 });
    return undefined;
  }
  state.counters.bump(platform, ids, 'refreshes');
  return { token: issueLongLived(state, state.tokens.grant(old)), old };
}

/** Resolves the access token of a Graph call: counts, applies faults, checks liveness. */
export async function graphAuth(
  state: SandboxState,
  req: Request,
  res: Response,
  platforms: PlatformId[],
  errors: (p: PlatformId) => PlatformErrors,
) {
  return authenticate(state, req, res, { platforms, errors, extract: metaToken });
}

export function mountMetaLogin({ state, hosts }: PlatformContext): void {
  const web = hosts.router('www.facebook.com', facebookErrors, { stripVersion: true });
  const graph = hosts.router('graph.facebook.com', facebookErrors, { stripVersion: true });

  mountConsent(web, '/dialog/oauth', state, {
    platforms: META_PLATFORMS,
    pkce: 'optional',
    scopeSeparator: /[\s,]+/,
    denyParams: META_DENY,
    offline: () => false,
    choosePages: true,
    // A Business app signs in with Facebook Login for Business: its configuration carries the permissions.
    scopesFor: ({ clientId, params, requested }) => {
      const app = META_PLATFORMS.find((p) => state.clients[p].clientId === clientId);
      const business = app ? state.settings.metaLoginConfigs[app as 'facebook' | 'instagram'] : undefined;
      if (!business) return { ok: true, scopes: requested };
      if (!params.config_id) {
        return { ok: false, page: { title: 'Invalid request', message: 'This app uses Facebook Login for Business: the login dialog needs a config_id (the scope parameter is not supported).' } };
      }
      if (params.config_id !== business.configId) {
        return { ok: false, page: { title: 'Invalid configuration', message: `The configuration ${params.config_id} does not exist for this app.` } };
      }
      return { ok: true, scopes: business.scopes };
    },
  });

  const accessToken = handler(facebookErrors, async (req, res) => {
    const grantType = param(req, 'grant_type');
    if (grantType === 'client_credentials') {
      const platform = metaClient(state, req, res, META_PLATFORMS, metaErrorsOf);
      if (platform) res.json({ access_token: `${state.clients[platform].clientId}|${state.clients[platform].clientSecret}`, token_type: 'bearer' });
      return;
    }
    if (grantType === 'fb_exchange_token') {
      const platform = metaClient(state, req, res, META_PLATFORMS, metaErrorsOf);
      if (!platform) return;
      const exchanged = await exchangeUserToken(state, req, res, { platforms: [platform], value: param(req, 'fb_exchange_token'), errors: metaErrorsOf });
      if (exchanged) res.json({ access_token: exchanged.token.value, token_type: 'bearer', expires_in: state.tokens.remainingSec(exchanged.token) });
      return;
    }
    const platform = metaClient(state, req, res, META_PLATFORMS, metaErrorsOf);
    if (!platform) return;
    if (!param(req, 'code')) {
      graphError(res, 400, { message: 'Missing authorization code', code: 1 });
      return;
    }
    const code = await redeemCode(state, req, res, {
      platforms: [platform],
      errors: metaErrorsOf,
      code: param(req, 'code'),
      clientId: param(req, 'client_id'),
      redirectUri: param(req, 'redirect_uri'),
      codeVerifier: param(req, 'code_verifier'),
      onProblem: (problem) => codeError(res, problem),
    });
    if (!code) return;
    const grant = state.tokens.createGrant({
      platform,
      clientId: code.clientId,
      userId: code.userId,
      scopes: code.scopes,
      offline: false,
      targetIds: code.targetIds,
      dataAccessExpiresAt: state.clock.now() + 90 * 86_400_000,
    });
    const token = issueShortLived(state, grant);
    res.json({ access_token: token.value, token_type: 'bearer', expires_in: state.tokens.remainingSec(token) });
  });
  graph.get('/oauth/access_token', accessToken);
  graph.post('/oauth/access_token', accessToken);

  mountDebugToken(graph, state, META_PLATFORMS, metaErrorsOf);
}

/** GET /debug_token?input_token=...&access_token=<app token or a token of the app>. */
export function mountDebugToken(router: Router, state: SandboxState, platforms: PlatformId[], errors: (p: PlatformId) => PlatformErrors): void {
  router.get(
    '/debug_token',
    handler(errors(platforms[0] as PlatformId), async (req, res) => {
      const caller = metaToken(req);
      const callerToken = state.tokens.find(caller);
      const appPlatform = platforms.find((p) => caller === `${state.clients[p].clientId}|${state.clients[p].clientSecret}`) ?? callerToken?.platform;
      if (!appPlatform || !platforms.includes(appPlatform)) {
        errors(platforms[0] as PlatformId).unauthorized(res, caller ? 'invalid' : 'missing');
        return;
      }
      const input = state.tokens.find(queryParam(req, 'input_token'));
      const ids = input ? state.relatedIds(input) : [];
      state.counters.call(appPlatform, ids, endpointName(req));
      if (!input || input.platform !== appPlatform || input.kind !== 'access') {
        res.json({ data: { error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }, is_valid: false, scopes: [] } });
        return;
      }
      if (await applyFaults(state, appPlatform, ids, errors(appPlatform), res)) return;
      const grant = state.tokens.grant(input);
      const status = state.tokens.status(input);
      const toSec = (ms: number | undefined) => (ms === undefined ? 0 : Math.floor(ms / 1000));
      const base = {
        app_id: state.clients[appPlatform].clientId,
        type: input.targetId ? 'PAGE' : 'USER',
        application: 'Tether (sandbox)',
        data_access_expires_at: toSec(grant.dataAccessExpiresAt),
        expires_at: toSec(input.expiresAt),
        issued_at: toSec(input.issuedAt),
        scopes: grant.scopes,
        user_id: input.userId,
        ...(input.targetId ? { profile_id: input.targetId } : {}),
      };
      if (status !== 'ok') {
        const body = AUTH_ERRORS[status];
        res.json({ data: { ...base, error: { code: body.code, message: body.message, subcode: body.error_subcode }, is_valid: false } });
        return;
      }
      const identity = state.identity(appPlatform, input.userId);
      const pageIds = (identity?.pages ?? []).filter((p) => !grant.targetIds || grant.targetIds.includes(p.id)).map((p) => p.id);
      res.json({
        data: {
          ...base,
          is_valid: true,
          granular_scopes: grant.scopes.map((scope) => (scope.startsWith('pages_') || scope.startsWith('instagram_') ? { scope, target_ids: pageIds } : { scope })),
        },
      });
    }),
  );
}
