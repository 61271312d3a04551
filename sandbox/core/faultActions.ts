// What each control-API fault does to an account.

import type { FaultRequest, FaultResult } from '../api-types.js';
import { sendDeauthorization } from './callbacks.js';
import type { Grant } from './model.js';
import type { SandboxState } from './state.js';

function grantsOf(state: SandboxState, request: FaultRequest): Grant[] {
  return [...state.tokens.grants.values()].filter(
    (g) => g.platform === request.platform && state.relatedIds({ platform: g.platform, userId: g.userId }).includes(request.externalId),
  );
}

/** The login user behind an account id (a Page or Instagram account maps to its Facebook user). */
function loginUserId(state: SandboxState, request: FaultRequest): string {
  if (request.platform === 'facebook' || request.platform === 'instagram') {
    return state.metaOwner(request.externalId)?.user.id ?? request.externalId;
  }
  return request.externalId;
}

export async function applyFault(state: SandboxState, request: FaultRequest): Promise<FaultResult> {
  const { platform, externalId } = request;
  const grants = grantsOf(state, request);
  let affected = 0;
  switch (request.fault) {
    case 'revoke':
      for (const grant of grants) affected += state.tokens.revokeGrant(grant, 'revoked');
      return { ok: true, affectedTokens: affected };
    case 'expire':
      for (const grant of grants) affected += state.tokens.expireAccessTokens(grant);
      return { ok: true, affectedTokens: affected };
    case 'changePassword':
      for (const grant of grants) {
        if (platform === 'bluesky') {
          // The PDS revokes refresh tokens on a password change; access JWTs live until they expire.
          for (const token of state.tokens.ofGrant(grant.id)) {
            if (token.kind === 'refresh' && !token.revoked) {
              state.tokens.revokeToken(token, 'passwordChanged');
              affected += 1;
            }
          }
        } else {
          affected += state.tokens.revokeGrant(grant, 'passwordChanged');
        }
      }
      return { ok: true, affectedTokens: affected };
    case 'removeApp': {
      for (const grant of grants) affected += state.tokens.revokeGrant(grant, 'appRemoved');
      const callback = await sendDeauthorization(state, platform, loginUserId(state, request), request.reason ?? 1);
      return { ok: true, affectedTokens: affected, callback };
    }
    case 'fail': {
      const faults = state.faults.edit(platform, externalId);
      faults.failRemaining = Math.max(0, Math.floor(request.count));
      faults.failStatus = request.status;
      return { ok: true, affectedTokens: 0 };
    }
    case 'rateLimit': {
      const until =
        request.until !== undefined
          ? typeof request.until === 'number'
            ? request.until
            : Date.parse(request.until)
          : state.clock.now() + (request.seconds ?? 60) * 1000;
      state.faults.edit(platform, externalId).rateLimitUntil = until;
      return { ok: true, affectedTokens: 0 };
    }
    case 'slow':
      state.faults.edit(platform, externalId).delayMs = Math.max(0, request.delayMs);
      return { ok: true, affectedTokens: 0 };
    case 'clear':
      state.faults.clear(platform, externalId);
      return { ok: true, affectedTokens: 0 };
  }
}
