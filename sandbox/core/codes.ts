// Authorization codes: single use, short-lived, bound to client, redirect_uri and PKCE challenge.

import { createHash, randomBytes } from 'node:crypto';
import type { PlatformId } from '../../platforms/types.js';
import type { Clock } from './clock.js';
import type { CodeRecord } from './model.js';

export type CodeProblem = 'unknown' | 'used' | 'expired' | 'client' | 'redirect' | 'pkce';

export class CodeStore {
  private readonly codes = new Map<string, CodeRecord>();

  constructor(private readonly clock: Clock) {}

  create(input: Omit<CodeRecord, 'code' | 'expiresAt' | 'used'>, lifetimeSec: number): CodeRecord {
    const record: CodeRecord = {
      ...input,
      code: randomBytes(24).toString('base64url'),
      expiresAt: this.clock.now() + lifetimeSec * 1000,
      used: false,
    };
    this.codes.set(record.code, record);
    return record;
  }

  /** Redeems a code once. Checks in the order the platforms do: existence, use, expiry, binding, PKCE. */
  redeem(
    platforms: PlatformId[],
    input: { code?: string; clientId?: string; redirectUri?: string; codeVerifier?: string },
  ): { ok: true; code: CodeRecord } | { ok: false; problem: CodeProblem; code?: CodeRecord } {
    const record = input.code ? this.codes.get(input.code) : undefined;
    if (!record || !platforms.includes(record.platform)) return { ok: false, problem: 'unknown' };
    if (record.used) return { ok: false, problem: 'used', code: record };
    if (record.expiresAt <= this.clock.now()) return { ok: false, problem: 'expired', code: record };
    if (input.clientId !== undefined && input.clientId !== record.clientId) return { ok: false, problem: 'client', code: record };
    if (input.redirectUri !== record.redirectUri) return { ok: false, problem: 'redirect', code: record };
    if (record.codeChallenge !== undefined && !verifyPkce(record.codeChallenge, record.codeChallengeMethod, input.codeVerifier)) {
      return { ok: false, problem: 'pkce', code: record };
    }
    record.used = true;
    return { ok: true, code: record };
  }

  clear(): void {
    this.codes.clear();
  }
}

export function verifyPkce(challenge: string, method: string | undefined, verifier: string | undefined): boolean {
  if (!verifier || !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  if ((method ?? 'plain').toLowerCase() === 'plain') return verifier === challenge;
  return createHash('sha256').update(verifier).digest('base64url') === challenge;
}
