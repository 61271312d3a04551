import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyAgainstDecoy, verifyPassword } from '../../../services/auth/passwords.js';
import { AUTH_LABELS, loginBody, registerBody } from '../../../web/auth/schemas.js';
import { fieldErrors, safeLocalPath } from '../../../web/respond.js';

// Each hash costs about half a second of one core by design (more on a busy machine).
describe('password hashing', { timeout: 60_000 }, () => {
  it('verifies the right password and refuses others, with a fresh salt each time', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await hashPassword('correct horse battery')).not.toBe(hash);
  });

  it('uses OWASP\'s scrypt cost (N=2^17), still verifies cheaper older hashes and marks them for re-hashing', async () => {
    const current = await hashPassword('correct horse battery');
    expect(needsRehash(current)).toBe(false);
    const older = await hashPassword('correct horse battery', { N: 2 ** 15, r: 8, p: 1 });
    expect(older).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', older)).toBe(true);
    expect(needsRehash(older)).toBe(true);
    expect(needsRehash('plain-text')).toBe(false);
  });

  it('refuses malformed stored hashes and always fails the decoy', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$1$2$3$4$5')).toBe(false);
    expect(await verifyAgainstDecoy('anything')).toBe(false);
  });
});

describe('safe redirects', () => {
  it.each([
    ['/billing', '/billing'],
    ['/connections?x=1', '/connections?x=1'],
    ['//evil.example', '/f'],
    ['/\\evil.example', '/f'],
    ['https://evil.example', '/f'],
    ['javascript:alert(1)', '/f'],
    ['/ spaced', '/f'],
    [undefined, '/f'],
    [['/a'], '/f'],
  ])('%j -> %s', (candidate, expected) => {
    expect(safeLocalPath(candidate, '/f')).toBe(expected);
  });
});

describe('form validation messages', () => {
  it('names each bad field once, with its label', () => {
    const result = registerBody.safeParse({ email: 'nope', password: 'short' });
    expect(result.success).toBe(false);
    expect(fieldErrors(result.error!, AUTH_LABELS)).toEqual({
      name: 'Name: is required',
      email: 'Email: enter an address like name@example.com',
      password: 'Password: must be at least 10 characters',
    });
  });

  it('normalizes emails and accepts a blank first pen name', () => {
    const result = registerBody.parse({ name: ' Ada ', email: ' Ada@Example.COM ', password: 'long enough pw', penName: '  ' });
    expect(result).toMatchObject({ name: 'Ada', email: 'ada@example.com', penName: '' });
    expect(loginBody.safeParse({ email: 'a@b.co', password: '' }).success).toBe(false);
  });
});
