import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tokenKeyId, tokenKeyring } from '../../../config/token-keys.js';
import { sameBytes, seal, sealedKeyId, SealError, unseal } from '../../../db/crypto.js';

const key = randomBytes(32);
const keys = tokenKeyring(key);
const secret = JSON.stringify({ accessToken: 'access-ä-🔑', refreshToken: 'refresh-123' });

function replacePart(sealed: string, index: number, change: (bytes: Buffer) => void): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  change(bytes);
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

/** A value as Tether sealed it before keys carried ids: `v1.<iv>.<tag>.<data>`. */
function legacySeal(withKey: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', withKey, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

describe('seal / unseal (AES-256-GCM)', () => {
  it('round-trips text, names the sealing key and never contains the text in clear', () => {
    const sealed = seal(keys, secret, 'credential:a1');
    expect(sealed).toMatch(/^v2\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealedKeyId(sealed)).toBe(tokenKeyId(key));
    expect(sealed).not.toContain('refresh-123');
    expect(unseal(keys, sealed, 'credential:a1')).toBe(secret);
  });

  it('uses a fresh IV each time', () => {
    expect(seal(keys, secret, 'x')).not.toBe(seal(keys, secret, 'x'));
  });

  it('detects a modified ciphertext', () => {
    const sealed = seal(keys, secret, 'credential:a1');
    const tampered = replacePart(sealed, 4, (b) => (b[0] = b[0]! ^ 0x01));
    expect(() => unseal(keys, tampered, 'credential:a1')).toThrow(SealError);
  });

  it('detects a modified tag and a modified IV', () => {
    const sealed = seal(keys, secret, 'credential:a1');
    expect(() => unseal(keys, replacePart(sealed, 3, (b) => (b[5] = b[5]! ^ 0x80)), 'credential:a1')).toThrow(SealError);
    expect(() => unseal(keys, replacePart(sealed, 2, (b) => (b[0] = b[0]! ^ 0x01)), 'credential:a1')).toThrow(SealError);
  });

  it('refuses a value sealed with a key the keyring does not hold, naming that key', () => {
    const sealed = seal(keys, secret, 'credential:a1');
    expect(() => unseal(tokenKeyring(randomBytes(32)), sealed, 'credential:a1')).toThrow(new RegExp(`key ${tokenKeyId(key)}.*TOKEN_ENCRYPTION_OLD_KEYS`));
  });

  it('refuses a value whose key id was swapped for another configured key', () => {
    const other = randomBytes(32);
    const both = tokenKeyring(other, [key]);
    const parts = seal(keys, secret, 'credential:a1').split('.');
    parts[1] = tokenKeyId(other);
    expect(() => unseal(both, parts.join('.'), 'credential:a1')).toThrow(/failed authentication/);
  });

  it('refuses a value moved to another owner (associated data)', () => {
    const sealed = seal(keys, secret, 'credential:a1');
    expect(() => unseal(keys, sealed, 'credential:a2')).toThrow(SealError);
  });

  it('rejects malformed values and keys of the wrong size', () => {
    expect(() => unseal(keys, 'v1.abc', 'x')).toThrow(/unknown format/);
    expect(() => unseal(keys, `v3.${seal(keys, secret, 'x').slice(3)}`, 'x')).toThrow(/unknown format/);
    expect(() => seal(tokenKeyring(randomBytes(16)), secret, 'x')).toThrow(/32 bytes/);
  });
});

describe('key rotation', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const before = tokenKeyring(oldKey);
  const rotated = tokenKeyring(newKey, [oldKey]);

  it('seals with the newest key and opens values of every configured key', () => {
    const old = seal(before, secret, 'credential:a1');
    const fresh = seal(rotated, secret, 'credential:a1');
    expect(sealedKeyId(old)).toBe(tokenKeyId(oldKey));
    expect(sealedKeyId(fresh)).toBe(tokenKeyId(newKey));
    expect(unseal(rotated, old, 'credential:a1')).toBe(secret);
    expect(unseal(rotated, fresh, 'credential:a1')).toBe(secret);
    // Once the old key is dropped, what it sealed no longer opens.
    expect(() => unseal(tokenKeyring(newKey), old, 'credential:a1')).toThrow(SealError);
  });

  it('opens values sealed before key ids existed with whichever configured key sealed them', () => {
    const legacy = legacySeal(oldKey, secret, 'credential:a1');
    expect(sealedKeyId(legacy)).toBeUndefined();
    expect(unseal(rotated, legacy, 'credential:a1')).toBe(secret);
    expect(() => unseal(tokenKeyring(newKey), legacy, 'credential:a1')).toThrow(/every configured key/);
  });

  it('derives distinct, stable ids that do not contain the key', () => {
    expect(tokenKeyId(oldKey)).toBe(tokenKeyId(Buffer.from(oldKey)));
    expect(tokenKeyId(oldKey)).not.toBe(tokenKeyId(newKey));
    expect(oldKey.toString('base64url')).not.toContain(tokenKeyId(oldKey));
    expect([...rotated.byId.keys()].sort()).toEqual([tokenKeyId(oldKey), tokenKeyId(newKey)].sort());
  });
});

describe('sameBytes', () => {
  it('is true only for equal bytes of equal length', () => {
    expect(sameBytes(Buffer.from('state-abc'), Buffer.from('state-abc'))).toBe(true);
    expect(sameBytes(Buffer.from('state-abc'), Buffer.from('state-abd'))).toBe(false);
    expect(sameBytes(Buffer.from('state-abc'), Buffer.from('state-ab'))).toBe(false);
    expect(sameBytes(Buffer.alloc(0), Buffer.alloc(0))).toBe(true);
  });
});
