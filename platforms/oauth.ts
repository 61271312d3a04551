// Pieces shared by the OAuth 2.0 adapters: dependencies, token-response parsing, PKCE and
// token-endpoint error classification.

import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { classifyByStatus, oauthError, withDetail } from './errors.js';
import type { HttpResponse, PlatformHttp } from './http.js';
import { invalid, ok, reauthRequired } from './outcome.js';
import type { Failure, IssuedTokens, Outcome } from './types.js';

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface AdapterDeps {
  http: PlatformHttp;
  client: OAuthClient;
}

/** Seconds as a number, accepting the numeric strings some platforms send; null/absent stays undefined. */
export const seconds = z
  .union([z.number(), z.string().regex(/^\d+$/)])
  .transform(Number)
  .nullish()
  .transform((v) => (v === null ? undefined : v));

export const oauthTokenSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).nullish(),
  expires_in: seconds,
  refresh_token_expires_in: seconds,
  scope: z.string().nullish(),
});

export type OAuthTokenBody = z.infer<typeof oauthTokenSchema>;

export function issuedFromOAuth(body: OAuthTokenBody, scopeSeparator: RegExp = /[\s,]+/): IssuedTokens {
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token ?? undefined,
    accessTokenLifetimeSec: positive(body.expires_in),
    refreshTokenLifetimeSec: positive(body.refresh_token_expires_in),
    scopes: body.scope ? body.scope.split(scopeSeparator).filter(Boolean) : undefined,
  };
}

/** A lifetime of 0 or less is "none given" (Meta sends expires_in 0 for non-expiring tokens). */
export function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

/** For convenience of callers that build authorization requests (web connect flow, tests). */
export function createPkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier) };
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function buildUrl(http: PlatformHttp, realUrl: string, params: Record<string, string | undefined>): string {
  const url = new URL(http.url(realUrl));
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

export type TokenCall = 'code' | 'refresh' | 'revoke';

/** A platform's token endpoint: posts a grant's form, answers the body or a classified failure. */
export interface TokenEndpoint<B> {
  call(form: Record<string, string>, call: 'code' | 'refresh'): Promise<Outcome<B>>;
  toIssued(body: B): IssuedTokens;
}

/** The authorization-code grant: the code, the redirect URI, and the PKCE verifier where the platform uses one. */
export async function codeGrant<B>(endpoint: TokenEndpoint<B>, form: Record<string, string>): Promise<Outcome<IssuedTokens>> {
  const result = await endpoint.call({ grant_type: 'authorization_code', ...form }, 'code');
  return result.kind === 'ok' ? ok(endpoint.toIssued(result.value)) : result;
}

/** The refresh-token grant; without a refresh token nothing can renew the connection (`missing` says why). */
export async function refreshGrant<B>(endpoint: TokenEndpoint<B>, refreshToken: string | undefined, missing: string): Promise<Outcome<IssuedTokens>> {
  if (!refreshToken) return reauthRequired('refresh_unavailable', missing);
  const result = await endpoint.call({ grant_type: 'refresh_token', refresh_token: refreshToken }, 'refresh');
  return result.kind === 'ok' ? ok(endpoint.toIssued(result.value)) : result;
}

/**
 * RFC 6749 token-endpoint errors. `invalid_grant` (and X's "Value passed for the token was invalid")
 * means the grant is gone; client errors are configuration bugs, never a reason to reconnect.
 */
export function classifyTokenError(http: PlatformHttp, response: HttpResponse, call: TokenCall): Failure {
  const name = http.platformName;
  const error = oauthError(response.body);
  if (response.status === 429 || response.status >= 500 || !error) {
    return classifyByStatus(response, { platformName: name, now: http.now(), canRefresh: false });
  }
  switch (error.error) {
    case 'invalid_grant':
    case 'invalid_token':
      return grantGone(name, call, response.body);
    case 'invalid_request':
      if (/token was invalid|authorization code was invalid|code.*(invalid|expired)|refresh token/i.test(error.description ?? '')) {
        return grantGone(name, call, response.body);
      }
      return invalid(withDetail(`${name} rejected the token request as malformed`, response.body));
    case 'invalid_client':
    case 'unauthorized_client':
      return invalid(withDetail(`${name} did not accept Tether's client id or secret — check the app credentials in the configuration`, response.body));
    case 'access_denied':
      return reauthRequired('consent_denied', `${name} sign-in was cancelled or denied — connect again to continue`);
    case 'invalid_scope':
    case 'insufficient_scope':
      return invalid(withDetail(`${name} rejected the requested permissions; check the app's approved scopes`, response.body));
    case 'temporarily_unavailable':
    case 'server_error':
      return classifyByStatus({ ...response, status: 503 }, { platformName: name, now: http.now(), canRefresh: false });
    case 'rate_limit_exceeded':
    case 'slow_down':
      return classifyByStatus({ ...response, status: 429 }, { platformName: name, now: http.now(), canRefresh: false });
    default:
      return classifyByStatus(response, { platformName: name, now: http.now(), canRefresh: false });
  }
}

function grantGone(name: string, call: TokenCall, body: unknown): Failure {
  if (call === 'code') {
    return reauthRequired('authorization_code_invalid', withDetail(`${name} did not accept the sign-in code (it may have expired or been used) — connect again`, body));
  }
  return reauthRequired(
    'refresh_token_invalid',
    withDetail(`${name} no longer accepts this connection's refresh token (revoked, expired or already used) — reconnect to continue`, body),
  );
}
