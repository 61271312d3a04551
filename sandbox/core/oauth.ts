// Token-endpoint logic every platform shares: code redemption and refresh with strict rotation.

import type { Request, Response } from 'express';
import type { PlatformId } from '../../platforms/types.js';
import type { CodeProblem } from './codes.js';
import { applyFaults, endpointName, tokenEndpointLimited, type PlatformErrors } from './http.js';
import type { CodeRecord, Grant, TokenRecord } from './model.js';
import { lifetime } from './settings.js';
import type { SandboxState } from './state.js';
import type { IssueOptions } from './tokens.js';

export interface TokenEndpointOptions {
  platforms: PlatformId[];
  errors: (platform: PlatformId) => PlatformErrors;
}

/** Global token-endpoint rate limit; true when it answered. */
export function tokenEndpointGate(state: SandboxState, platform: PlatformId, errors: PlatformErrors, res: Response): boolean {
  return tokenEndpointLimited(state, platform, errors, res);
}

/**
 * Redeems an authorization code: counts the call, applies the account's faults, then checks the code.
 * On a problem calls `onProblem` (which must answer); returns the code on success.
 */
export async function redeemCode(
  state: SandboxState,
  req: Request,
  res: Response,
  options: TokenEndpointOptions & {
    code?: string;
    clientId?: string;
    redirectUri?: string;
    codeVerifier?: string;
    onProblem: (problem: CodeProblem, platform: PlatformId) => void;
  },
): Promise<CodeRecord | undefined> {
  const endpoint = endpointName(req);
  const result = state.codes.redeem(options.platforms, options);
  const platform = result.code?.platform ?? (options.platforms[0] as PlatformId);
  const ids = result.code ? state.relatedIds({ platform, userId: result.code.userId }) : [];
  state.counters.call(platform, ids, endpoint);
  if (ids.length > 0 && (await applyFaults(state, platform, ids, options.errors(platform), res))) return undefined;
  if (!result.ok) {
    options.onProblem(result.problem, platform);
    return undefined;
  }
  return result.code;
}

export function grantFromCode(state: SandboxState, code: CodeRecord, extra: Partial<Grant> = {}): Grant {
  return state.tokens.createGrant({
    platform: code.platform,
    clientId: code.clientId,
    userId: code.userId,
    scopes: code.scopes,
    offline: code.offline,
    targetIds: code.targetIds,
    ...extra,
  });
}

export function issueAccess(state: SandboxState, grant: Grant, options: IssueOptions = {}): TokenRecord {
  state.counters.bump(grant.platform, state.relatedIds(grant), 'tokensIssued');
  return state.tokens.issue(grant, 'access', { lifetimeSec: lifetime(state.settings, grant.platform, 'accessTokenSec'), ...options });
}

export function issueRefresh(state: SandboxState, grant: Grant, options: IssueOptions = {}): TokenRecord {
  return state.tokens.issue(grant, 'refresh', { lifetimeSec: lifetime(state.settings, grant.platform, 'refreshTokenSec'), ...options });
}

export type RefreshProblem = 'unknown' | 'used' | 'expired' | 'client' | 'revoked' | 'passwordChanged' | 'appRemoved' | 'loggedOut';

/**
 * Checks a refresh token: counts the call, applies faults, detects reuse of a rotated-away token
 * (counted in `refreshTokenReuse`). On success counts a refresh and, when `rotate`, retires the token.
 */
export async function redeemRefresh(
  state: SandboxState,
  req: Request,
  res: Response,
  options: TokenEndpointOptions & {
    value?: string;
    clientId?: string;
    rotate: boolean;
    /** Seconds a rotated-away token still works (Bluesky grace). */
    graceSec?: number;
    onProblem: (problem: RefreshProblem, platform: PlatformId) => void;
  },
): Promise<{ grant: Grant; old: TokenRecord } | undefined> {
  const endpoint = endpointName(req);
  const token = state.tokens.find(options.value);
  const valid = token && token.kind === 'refresh' && options.platforms.includes(token.platform);
  const platform = valid ? token.platform : (options.platforms[0] as PlatformId);
  const ids = valid ? state.relatedIds(token) : [];
  state.counters.call(platform, ids, endpoint);
  if (!valid) {
    options.onProblem('unknown', platform);
    return undefined;
  }
  if (await applyFaults(state, platform, ids, options.errors(platform), res)) return undefined;
  const grant = state.tokens.grant(token);
  if (options.clientId !== undefined && options.clientId !== grant.clientId) {
    options.onProblem('client', platform);
    return undefined;
  }
  const status = state.tokens.status(token);
  const inGrace =
    status === 'used' && options.graceSec !== undefined && token.usedAt !== undefined && state.clock.now() - token.usedAt < options.graceSec * 1000;
  if (status === 'used' && !inGrace) {
    state.counters.bump(platform, ids, 'refreshTokenReuse');
    state.logger?.warn({ platform, userId: token.userId, token: token.fingerprint }, 'sandbox: refresh token reused');
    options.onProblem('used', platform);
    return undefined;
  }
  if (status !== 'ok' && !inGrace) {
    options.onProblem(status as RefreshProblem, platform);
    return undefined;
  }
  if (options.rotate && status === 'ok') state.tokens.markUsed(token);
  state.counters.bump(platform, ids, 'refreshes');
  return { grant, old: token };
}
