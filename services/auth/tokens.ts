import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { sameBytes } from '../../db/crypto.js';
import { isDuplicateKey } from '../../db/duplicate-key.js';
import type { AuthTokenPurpose } from '../../db/models/auth-token.js';
import type { Models } from '../../db/models/index.js';

// Signed, expiring, single-use tokens for the links Tether emails (confirm an address, reset a
// password). A token is `<claims>.<signature>`: the claims (purpose, user, expiry, a nonce and a
// fingerprint of what the token is bound to) are signed with a key derived from SESSION_SECRET, so
// a forged or altered token is refused without a database read. Only a hash of each token is
// stored, and a redemption inserts the token's use under a unique id: of any number of concurrent
// redemptions exactly one wins.

interface Claims {
  /** Purpose. */
  p: AuthTokenPurpose;
  /** User id. */
  u: string;
  /** Expiry, epoch seconds. */
  e: number;
  /** Nonce: two tokens issued in the same second differ. */
  n: string;
  /** Fingerprint of the value the token is bound to (the address to confirm, the password it may replace). */
  b: string;
}

export type TokenCheck = { ok: true; userId: string } | { ok: false; problem: 'invalid' | 'expired' | 'used' };

/** The value a token of this user is checked against now (undefined: the user is gone). */
export type CurrentBinding = (userId: string) => Promise<string | undefined>;

export interface AuthTokens {
  /** A new token for `userId`, valid for `lifetimeMs` and only while `boundTo` stays what it is now. */
  issue(purpose: AuthTokenPurpose, userId: string, boundTo: string, lifetimeMs: number): Promise<string>;
  /** Whether the token could be redeemed now (a page shows its form), without using it up. */
  check(purpose: AuthTokenPurpose, token: unknown, binding: CurrentBinding): Promise<TokenCheck>;
  /** Uses the token up; exactly one of concurrent redemptions answers ok. */
  redeem(purpose: AuthTokenPurpose, token: unknown, binding: CurrentBinding): Promise<TokenCheck>;
  /** Every unused token of a user for a purpose stops working (e.g. all reset links once the password changed). */
  revokeAll(purpose: AuthTokenPurpose, userId: string): Promise<void>;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');
const MAX_TOKEN_LENGTH = 1000;

export function createAuthTokens(models: Pick<Models, 'AuthToken' | 'AuthTokenUse'>, secret: string, now: () => number = Date.now): AuthTokens {
  const key = Buffer.from(hkdfSync('sha256', secret, 'tether', 'email link tokens', 32));
  const sign = (text: string) => createHmac('sha256', key).update(text).digest();
  const fingerprint = (value: string) => sign(`bind:${value}`).subarray(0, 12).toString('base64url');

  /** The claims of a token whose signature holds, else undefined. */
  function claimsOf(purpose: AuthTokenPurpose, token: unknown): Claims | undefined {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) return undefined;
    if (!sameBytes(Buffer.from(signature, 'base64url'), sign(payload))) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
      return claims.p === purpose && typeof claims.u === 'string' && typeof claims.e === 'number' ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  async function usable(purpose: AuthTokenPurpose, token: unknown, binding: CurrentBinding): Promise<{ check: TokenCheck; hash?: string; claims?: Claims }> {
    const invalid: TokenCheck = { ok: false, problem: 'invalid' };
    const claims = claimsOf(purpose, token);
    if (!claims) return { check: invalid };
    if (claims.e * 1000 <= now()) return { check: { ok: false, problem: 'expired' } };
    const hash = hashOf(token as string);
    const [issued, used] = await Promise.all([models.AuthToken.findById(hash).lean(), models.AuthTokenUse.findById(hash).lean()]);
    if (used) return { check: { ok: false, problem: 'used' } };
    // Signed but not on record: revoked (or issued to a database that has since been reset).
    if (!issued || issued.userId !== claims.u) return { check: invalid };
    // What it was issued for has changed since (another address, a password already replaced).
    const current = await binding(claims.u);
    if (current === undefined || !sameBytes(Buffer.from(String(claims.b)), Buffer.from(fingerprint(current)))) return { check: invalid };
    return { check: { ok: true, userId: claims.u }, hash, claims };
  }

  return {
    async issue(purpose, userId, boundTo, lifetimeMs) {
      const at = now();
      const claims: Claims = { p: purpose, u: userId, e: Math.floor((at + lifetimeMs) / 1000), n: randomBytes(9).toString('base64url'), b: fingerprint(boundTo) };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      const token = `${payload}.${sign(payload).toString('base64url')}`;
      // No TTL indexes on FerretDB: what has expired goes whenever a new token is issued.
      const expired = { expiresAt: { $lt: new Date(at) } };
      await Promise.all([models.AuthToken.deleteMany(expired), models.AuthTokenUse.deleteMany(expired)]);
      await models.AuthToken.create({ _id: hashOf(token), userId, purpose, expiresAt: new Date(claims.e * 1000), createdAt: new Date(at) });
      return token;
    },

    async check(purpose, token, binding) {
      return (await usable(purpose, token, binding)).check;
    },

    async redeem(purpose, token, binding) {
      const { check, hash, claims } = await usable(purpose, token, binding);
      if (!check.ok || !hash || !claims) return check;
      try {
        await models.AuthTokenUse.create({ _id: hash, usedAt: new Date(now()), expiresAt: new Date(claims.e * 1000) });
      } catch (error) {
        if (isDuplicateKey(error)) return { ok: false, problem: 'used' };
        throw error;
      }
      return check;
    },

    async revokeAll(purpose, userId) {
      await models.AuthToken.deleteMany({ userId, purpose });
    },
  };
}
