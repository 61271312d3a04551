/**
 * Whether a write failed on a unique index. MongoDB reports code 11000; FerretDB 1.24 reports a
 * unique clash in an update as an InternalError naming the constraint.
 */
export function isDuplicateKey(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: number; message?: string };
  return code === 11000 || /UNIQUE constraint failed|duplicate key/i.test(message ?? '');
}
