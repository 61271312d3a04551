import { createHash } from 'node:crypto';

// The keys that seal stored tokens. The newest (TOKEN_ENCRYPTION_KEY) seals everything written
// from now on; older ones (TOKEN_ENCRYPTION_OLD_KEYS) only open what they sealed, until
// `npm run admin -- rotate-key` has re-sealed it with the newest.

export interface TokenKey {
  /** Derived from the key itself, so two different keys never share an id and nothing is configured twice. */
  id: string;
  key: Buffer;
}

export interface TokenKeyring {
  /** Seals every new value. */
  current: TokenKey;
  /** Every configured key by id, the current one included. */
  byId: ReadonlyMap<string, Buffer>;
}

/** A short public name of a key: a prefix of its SHA-256, which reveals nothing usable about the key. */
export function tokenKeyId(key: Buffer): string {
  return createHash('sha256').update('tether-token-key:').update(key).digest('base64url').slice(0, 10);
}

export function tokenKeyring(current: Buffer, older: readonly Buffer[] = []): TokenKeyring {
  const byId = new Map<string, Buffer>();
  for (const key of [current, ...older]) byId.set(tokenKeyId(key), key);
  return { current: { id: tokenKeyId(current), key: current }, byId };
}
