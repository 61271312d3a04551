import type { EmbeddedDatabaseBackend } from '../../config/schema.js';

// Parsing of the benchmarks' command-line options.

/** Usage line of `--db-backend`, for the benchmarks that start the embedded database. */
export const DB_BACKEND_USAGE = `  --db-backend B          storage of the embedded FerretDB: sqlite (default; a mongod on
                          PATH replaces it) or postgresql (EMBEDDED_DB_BACKEND)`;

/** `--db-backend`: sqlite when not given. */
export function dbBackend(raw: string | undefined): EmbeddedDatabaseBackend {
  if (raw === undefined || raw === 'sqlite' || raw === 'postgresql') return raw ?? 'sqlite';
  throw new Error(`--db-backend must be sqlite or postgresql (got "${raw}")`);
}

/** `raw` as a positive integer, `fallback` when the option was not given. */
export function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer (got "${raw}")`);
  return value;
}

export function positiveNumber(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number (got "${raw}")`);
  return value;
}
