import { randomBytes } from 'node:crypto';
import type { Session, SessionData } from 'express-session';
import type { TokenKeyring } from '../../config/token-keys.js';
import { sameBytes, seal, unseal } from '../../db/crypto.js';
import type { IssuedTokens, PlatformId, Target } from '../../platforms/types.js';

// What a connect flow keeps in the session between steps: the OAuth state and PKCE verifier until
// the platform calls back, then (for platforms with a choice step) the targets to choose from.
// Tokens waiting for a choice are sealed with the token key, like stored credentials.

export const STATE_LIFETIME_MS = 10 * 60_000;

export interface PendingAuthorization {
  platform: PlatformId;
  state: string;
  codeVerifier: string;
  penNameId: string;
  createdAt: number;
}

export interface ChoosableTarget {
  id: string;
  kind: Target['kind'];
  handle: string;
  displayName: string;
  avatarUrl?: string;
}

export interface PendingChoice {
  platform: PlatformId;
  penNameId: string;
  createdAt: number;
  targets: ChoosableTarget[];
  /** Sealed `{ targets: Target[] (with tokens), tokens }`. */
  sealed: string;
}

declare module 'express-session' {
  interface SessionData {
    connectAuthorization?: PendingAuthorization;
    connectChoice?: PendingChoice;
  }
}

export function newState(): string {
  return randomBytes(24).toString('base64url');
}

export type StateCheck = { ok: true; pending: PendingAuthorization } | { ok: false; problem: 'missing' | 'mismatch' | 'expired' };

/**
 * Takes the pending authorization out of the session whatever the answer, so a state is good for
 * one callback only (a replay finds nothing).
 */
export function takeAuthorization(session: Session & Partial<SessionData>, platform: PlatformId, state: unknown, now = Date.now()): StateCheck {
  const pending = session.connectAuthorization;
  delete session.connectAuthorization;
  if (!pending || typeof state !== 'string' || state.length === 0) return { ok: false, problem: 'missing' };
  if (pending.platform !== platform || !sameBytes(Buffer.from(pending.state), Buffer.from(state))) return { ok: false, problem: 'mismatch' };
  if (now - pending.createdAt > STATE_LIFETIME_MS) return { ok: false, problem: 'expired' };
  return { ok: true, pending };
}

const choiceData = (platform: PlatformId, penNameId: string) => `connect-choice:${platform}:${penNameId}`;

export function sealChoice(key: TokenKeyring, input: { platform: PlatformId; penNameId: string; targets: Target[]; tokens: IssuedTokens }, now = Date.now()): PendingChoice {
  return {
    platform: input.platform,
    penNameId: input.penNameId,
    createdAt: now,
    targets: input.targets.map((t) => ({ id: t.externalId, kind: t.kind, handle: t.handle, displayName: t.displayName, ...(t.avatarUrl ? { avatarUrl: t.avatarUrl } : {}) })),
    sealed: seal(key, JSON.stringify({ targets: input.targets, tokens: input.tokens }), choiceData(input.platform, input.penNameId)),
  };
}

export function openChoice(key: TokenKeyring, choice: PendingChoice): { targets: Target[]; tokens: IssuedTokens } {
  return JSON.parse(unseal(key, choice.sealed, choiceData(choice.platform, choice.penNameId))) as { targets: Target[]; tokens: IssuedTokens };
}
