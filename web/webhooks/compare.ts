import { timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two byte strings (a length mismatch is simply unequal). */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
