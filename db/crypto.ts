import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenKeyring } from '../config/token-keys.js';

// AES-256-GCM sealing for secrets at rest. A sealed value is one string,
// `v2.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts), so it fits a single document field and
// names the key that sealed it: keys rotate, and every configured key still opens its own values.
// Values sealed before key ids existed (`v1.<iv>.<tag>.<ciphertext>`) are tried with each key.
// The associated data binds a sealed value to its owner (e.g. an account id): a value copied
// onto another record does not open.

const VERSION = 'v2';
const LEGACY_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new SealError(`encryption key must be ${KEY_BYTES} bytes, got ${key.length}`);
}

/** Seals with the keyring's current key. */
export function seal(keys: TokenKeyring, plaintext: string, associatedData: string): string {
  const { id, key } = keys.current;
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, id, iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join('.');
}

/** The id of the key that sealed a value; undefined for values sealed before key ids existed. */
export function sealedKeyId(sealed: string): string | undefined {
  const [version, keyId] = sealed.split('.');
  return version === VERSION ? keyId : undefined;
}

function open(key: Buffer, parts: [string, string, string], associatedData: string): string {
  checkKey(key);
  const [ivText, tagText, dataText] = parts;
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SealError('sealed value has an unknown format');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(dataText, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SealError('sealed value failed authentication (wrong key, or the data was modified)');
  }
}

/**
 * Opens a value with the key that sealed it. Throws SealError when the value is malformed, was
 * tampered with, was sealed with a key the keyring no longer holds, or with other associated data.
 */
export function unseal(keys: TokenKeyring, sealed: string, associatedData: string): string {
  const parts = sealed.split('.');
  if (parts.length === 5 && parts[0] === VERSION) {
    const [, keyId, ...rest] = parts as [string, string, string, string, string];
    const key = keys.byId.get(keyId);
    if (!key) throw new SealError(`sealed with key ${keyId}, which is not configured (add it to TOKEN_ENCRYPTION_OLD_KEYS)`);
    return open(key, rest, associatedData);
  }
  if (parts.length === 4 && parts[0] === LEGACY_VERSION) {
    const rest = parts.slice(1) as [string, string, string];
    for (const key of keys.byId.values()) {
      try {
        return open(key, rest, associatedData);
      } catch (error) {
        if (!(error instanceof SealError)) throw error;
      }
    }
    throw new SealError('sealed value failed authentication with every configured key (wrong key, or the data was modified)');
  }
  throw new SealError('sealed value has an unknown format');
}

/** Constant-time equality of two byte strings (a length mismatch is simply unequal). */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
