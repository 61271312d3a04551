import { randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { sameBytes } from '../../db/crypto.js';

// Password hashing with scrypt (node:crypto) at OWASP's recommended cost (N=2^17, r=8, p=1). The
// parameters travel inside the stored hash, so older, cheaper hashes still verify and are
// re-hashed at the next successful login (`needsRehash`).
// Stored form: `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>`.

export const PASSWORD_HASH_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
const KEY_LENGTH = 64;

interface Params {
  N: number;
  r: number;
  p: number;
}

function scrypt(password: string, salt: Buffer, params: Params): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node refuses more than 32 MiB unless told.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string, params: Params = PASSWORD_HASH_PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

function parse(stored: string): { params: Params; salt: Buffer; hash: Buffer } | undefined {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return undefined;
  return { params: { N: Number(n), r: Number(r), p: Number(p) }, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  return sameBytes(await scrypt(password, parsed.salt, parsed.params), parsed.hash);
}

/** True when a stored hash is cheaper than today's parameters. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  if (!parsed) return false;
  const { N, r, p } = parsed.params;
  return N < PASSWORD_HASH_PARAMS.N || r < PASSWORD_HASH_PARAMS.r || p < PASSWORD_HASH_PARAMS.p;
}

// Unknown emails are checked against this, so a failed login takes as long whether or not the account exists.
let decoy: Promise<string> | undefined;
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoy ??= hashPassword(randomBytes(16).toString('base64'));
  await verifyPassword(password, await decoy);
  return false;
}
