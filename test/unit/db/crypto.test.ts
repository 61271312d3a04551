import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sameBytes, seal, SealError, unseal } from '../../../db/crypto.js';

const key = randomBytes(32);
const secret = JSON.stringify({ accessToken: 'access-ä-🔑', refreshToken: 'refresh-123' });

function replacePart(sealed: string, index: number, change: (bytes: Buffer) => void): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  change(bytes);
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('seal / unseal (AES-256-GCM)', () => {
  it('round-trips text and never contains it in clear', () => {
    const sealed = seal(key, secret, 'credential:a1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('refresh-123');
    expect(unseal(key, sealed, 'credential:a1')).toBe(secret);
  });

  it('uses a fresh IV each time', () => {
    expect(seal(key, secret, 'x')).not.toBe(seal(key, secret, 'x'));
  });

  it('detects a modified ciphertext', () => {
    const sealed = seal(key, secret, 'credential:a1');
    const tampered = replacePart(sealed, 3, (b) => (b[0] = b[0]! ^ 0x01));
    expect(() => unseal(key, tampered, 'credential:a1')).toThrow(SealError);
  });

  it('detects a modified tag and a modified IV', () => {
    const sealed = seal(key, secret, 'credential:a1');
    expect(() => unseal(key, replacePart(sealed, 2, (b) => (b[5] = b[5]! ^ 0x80)), 'credential:a1')).toThrow(SealError);
    expect(() => unseal(key, replacePart(sealed, 1, (b) => (b[0] = b[0]! ^ 0x01)), 'credential:a1')).toThrow(SealError);
  });

  it('refuses a value sealed with another key', () => {
    const sealed = seal(key, secret, 'credential:a1');
    expect(() => unseal(randomBytes(32), sealed, 'credential:a1')).toThrow(/failed authentication/);
  });

  it('refuses a value moved to another owner (associated data)', () => {
    const sealed = seal(key, secret, 'credential:a1');
    expect(() => unseal(key, sealed, 'credential:a2')).toThrow(SealError);
  });

  it('rejects malformed values and keys of the wrong size', () => {
    expect(() => unseal(key, 'v1.abc', 'x')).toThrow(/unknown format/);
    expect(() => unseal(key, `v2.${seal(key, secret, 'x').slice(3)}`, 'x')).toThrow(/unknown format/);
    expect(() => seal(randomBytes(16), secret, 'x')).toThrow(/32 bytes/);
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
