import { MongoNetworkError, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError, withDatabaseRetry } from '../../../db/retry.js';

const busy = () =>
  new MongoServerError({
    ok: 0,
    code: 1,
    errmsg: '[msg_delete.go:169 handler.(*Handler).execDelete] [collection.go:241 sqlite.(*collection).DeleteAll] database is locked (5) (SQLITE_BUSY)',
  });

describe('transient database errors', () => {
  it('knows FerretDB busy errors, network and server selection failures and write conflicts', () => {
    expect(isTransientDatabaseError(busy())).toBe(true);
    expect(isTransientDatabaseError(new MongoNetworkError('connection reset'))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('Server selection timed out after 5000 ms'), { name: 'MongoServerSelectionError' }))).toBe(true);
    expect(isTransientDatabaseError(new MongoServerError({ ok: 0, code: 112, errmsg: 'WriteConflict' }))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('x'), { errorLabels: ['RetryableWriteError'] }))).toBe(true);
  });

  it('leaves everything else to the caller: duplicate keys, validation, programming errors', () => {
    expect(isTransientDatabaseError(new MongoServerError({ ok: 0, code: 11000, errmsg: 'E11000 duplicate key error' }))).toBe(false);
    expect(isTransientDatabaseError(new TypeError('x is undefined'))).toBe(false);
    expect(isTransientDatabaseError(undefined)).toBe(false);
  });
});

describe('withDatabaseRetry', () => {
  it('tries again after a transient error and answers the result', async () => {
    let calls = 0;
    const result = await withDatabaseRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw busy();
        return 'done';
      },
      { baseDelayMs: 1 },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after the bounded number of tries with the last error', async () => {
    let calls = 0;
    const failing = withDatabaseRetry(
      async () => {
        calls += 1;
        throw busy();
      },
      { attempts: 4, baseDelayMs: 1 },
    );
    await expect(failing).rejects.toThrow('SQLITE_BUSY');
    expect(calls).toBe(4);
  });

  it('does not retry an error that is not transient', async () => {
    let calls = 0;
    const failing = withDatabaseRetry(async () => {
      calls += 1;
      throw new MongoServerError({ ok: 0, code: 11000, errmsg: 'E11000 duplicate key error' });
    });
    await expect(failing).rejects.toThrow('duplicate key');
    expect(calls).toBe(1);
  });
});
