import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';

// AES-256-GCM sealing for secrets at rest. A sealed value is one string,
// `v1.<iv>.<tag>.<ciphertext>` (base64url parts), so it fits a single document field.
// The associated data binds a sealed value to its owner (e.g. an account id): a value copied
// onto another record does not open.

const VERSION = 'v1';
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

export function seal(key: Buffer, plaintext: string, associatedData: string): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join('.');
}

/** Throws SealError when the value is malformed, was tampered with, or was sealed with another key or associated data. */
export function unseal(key: Buffer, sealed: string, associatedData: string): string {
  checkKey(key);
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SealError('sealed value has an unknown format');
  const [, ivText, tagText, dataText] = parts as [string, string, string, string];
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

/** Constant-time equality of two byte strings (a length mismatch is simply unequal). */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
