import { setTimeout as sleep } from 'node:timers/promises';

// Transient database trouble is retried here, in one place, so a busy or briefly unreachable
// server never reaches a user as an error. Only errors that mean "the command did not run, or may
// be run again" count: every write wrapped in `withDatabaseRetry` is idempotent (point updates that
// set fields, inserts whose duplicate-key answer the caller already handles).

/** MongoDB server codes that mean "try again": lock, interruption, failover and write-conflict codes. */
const TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  24, // LockTimeout
  46, // LockBusy
  89, // NetworkTimeout
  91, // ShutdownInProgress
  112, // WriteConflict
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** FerretDB on SQLite reports a writer that gave up waiting for the lock in its message only. */
const TRANSIENT_MESSAGE = /database is locked|SQLITE_BUSY|database table is locked|SQLITE_LOCKED/i;

/** By name: mongoose carries its own copy of the driver, so `instanceof` would miss half of them. */
const TRANSIENT_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoPoolClearedError',
]);

export function isTransientDatabaseError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof name === 'string' && TRANSIENT_NAMES.has(name)) return true;
  const labels = (error as { errorLabels?: unknown }).errorLabels;
  if (Array.isArray(labels) && (labels.includes('TransientTransactionError') || labels.includes('RetryableWriteError'))) return true;
  if (typeof code === 'number' && TRANSIENT_CODES.has(code)) return true;
  return typeof message === 'string' && TRANSIENT_MESSAGE.test(message);
}

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts?: number;
  /** The wait before the second try; it doubles after every try, with jitter, up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

const DEFAULTS: Required<RetryOptions> = { attempts: 5, baseDelayMs: 100, maxDelayMs: 2_000 };

/** Runs `operation`, again after a bounded backoff while it fails with a transient database error. */
export async function withDatabaseRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { attempts, baseDelayMs, maxDelayMs } = { ...DEFAULTS, ...options };
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !isTransientDatabaseError(error)) throw error;
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await sleep(ceiling / 2 + Math.random() * (ceiling / 2));
    }
  }
}
