import type session from 'express-session';
import { describe, expect, it } from 'vitest';
import { MongoSessionStore } from '../../../web/session.js';
import { useTestDatabase } from '../../helpers/integration.js';

const cookie = (expires: Date) => ({ cookie: { originalMaxAge: 1000, expires, httpOnly: true, path: '/' } }) as unknown as session.SessionData;

describe('web: MongoDB session store', () => {
  const db = useTestDatabase();

  const call = <T>(run: (callback: (error?: unknown, value?: T) => void) => void) =>
    new Promise<T | undefined>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));

  it('stores, reads, touches and destroys a session', async () => {
    const store = new MongoSessionStore(db.models, { sweepMs: 3_600_000 });
    store.stopSweeping();
    const data = { ...cookie(new Date(Date.now() + 60_000)), penNameId: 'p1', flash: { kind: 'info', text: 'a.b $c' } } as session.SessionData;
    await call((cb) => store.set('s1', data, cb));
    const read = await call<session.SessionData | null>((cb) => store.get('s1', cb));
    expect(read?.penNameId).toBe('p1');
    expect(read?.flash?.text).toBe('a.b $c');
    const stored = (await db.models.Session.findById('s1').lean())!.expires.getTime();
    // A page view that moves the expiry by a minute does not write the session.
    await call((cb) => store.touch('s1', cookie(new Date(stored + 60_000)), cb));
    expect((await db.models.Session.findById('s1').lean())?.expires.getTime()).toBe(stored);
    // One that moves it by more than a few minutes does.
    await call((cb) => store.get('s1', cb));
    const later = new Date(stored + 20 * 60_000);
    await call((cb) => store.touch('s1', cookie(later), cb));
    expect((await db.models.Session.findById('s1').lean())?.expires.getTime()).toBe(later.getTime());
    await call((cb) => store.destroy('s1', cb));
    expect(await call((cb) => store.get('s1', cb))).toBeNull();
  });

  it('never serves an expired session, and its sweep deletes expired ones on an interval, keeping live ones', async () => {
    const store = new MongoSessionStore(db.models, { sweepMs: 200 });
    try {
      await call((cb) => store.set('expired', cookie(new Date(Date.now() - 1000)), cb));
      await call((cb) => store.set('live', cookie(new Date(Date.now() + 3_600_000)), cb));
      expect(await call((cb) => store.get('expired', cb))).toBeNull();
      await expect.poll(() => db.models.Session.countDocuments({ _id: 'expired' }), { timeout: 10_000, interval: 100 }).toBe(0);
      expect(await db.models.Session.countDocuments({ _id: 'live' })).toBe(1);
    } finally {
      store.stopSweeping();
    }
  });

  it('has no TTL index', async () => {
    const indexes = await db.connection.collection('sessions').indexes();
    expect(indexes.some((index) => index.key && 'expires' in index.key)).toBe(true);
    expect(indexes.some((index) => 'expireAfterSeconds' in index)).toBe(false);
  });
});
