import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accountEventPage, appendAccountEvent, appendAccountEvents, pruneAccountEvents } from '../../../db/account-events.js';
import { statusEvents } from '../../../activities/events/index.js';
import { writeStatus } from '../../../db/accounts.js';
import { useTestDatabase } from '../../helpers/integration.js';

// account_events on the test server (FerretDB by default): one event per (account, sequence) however
// many attempts write it, status changes recorded from the status write's own read, and the retention
// sweep deleting only what is older than its cut-off.

describe('account events', () => {
  const db = useTestDatabase();

  it('keeps one event per (account, sequence) when concurrent attempts write it', async () => {
    const accountId = randomUUID();
    const event = { accountId, sequence: 'renewal:run-1:7', kind: 'renewed' as const, at: new Date() };
    const written = await Promise.all(Array.from({ length: 8 }, () => appendAccountEvent(db.models, event)));
    expect(written.filter(Boolean)).toHaveLength(1);
    expect(await db.models.AccountEvent.countDocuments({ accountId })).toBe(1);
  });

  it('writes several events in one insert, and a repeat writes only the ones that are missing', async () => {
    const accountId = randomUUID();
    const event = (n: number) => ({ accountId, sequence: `publish:post-${n}:run-1:3`, kind: 'postPublished' as const, at: new Date(), postId: `post-${n}` });
    await appendAccountEvents(db.models, [event(1), event(2)]);
    await appendAccountEvents(db.models, [event(1), event(2), event(3)]);
    await Promise.all([appendAccountEvents(db.models, [event(3), event(4)]), appendAccountEvents(db.models, [event(4), event(5)])]);
    const stored = await db.models.AccountEvent.find({ accountId }).lean();
    expect(stored.map((stored) => stored.postId).sort()).toEqual(['post-1', 'post-2', 'post-3', 'post-4', 'post-5']);
  });

  it('records a status change once, even when the status write is retried after it landed', async () => {
    const accountId = randomUUID();
    await db.models.Account.create({ _id: accountId, ownerId: 'o', penNameId: 'p', platform: 'x', externalId: accountId, handle: 'h', displayName: 'H', meta: {}, connectedAt: new Date(0), status: { state: 'active', queuePaused: false, sequence: 1, updatedAt: new Date(1000) } });
    const observer = statusEvents({ models: db.models });
    const expired = { state: 'expired' as const, reason: { code: 'token_revoked' }, queuePaused: true, sequence: 2, updatedAt: new Date() };
    expect(await writeStatus(db.models, accountId, expired, observer)).toBe(true);
    expect(await writeStatus(db.models, accountId, expired, observer)).toBe(false);
    const { events } = await accountEventPage(db.models, { accountId, skip: 0, limit: 10 });
    expect(events.map((event) => event.kind).sort()).toEqual(['deauthorized', 'postsPaused']);
    expect(events.find((event) => event.kind === 'deauthorized')).toMatchObject({ state: 'expired', reason: { code: 'token_revoked' }, sequence: 'status:2:state' });
  });

  it('prunes only events older than the retention cut-off', async () => {
    const accountId = randomUUID();
    const now = Date.now();
    for (const [n, ageDays] of [[1, 500], [2, 10], [3, 0]] as const) {
      await appendAccountEvent(db.models, { accountId, sequence: `s${n}`, kind: 'checked', at: new Date(now - ageDays * 24 * 3600_000) });
    }
    await pruneAccountEvents(db.models, new Date(now - 400 * 24 * 3600_000));
    const left = await db.models.AccountEvent.find({ accountId }).lean();
    expect(left.map((event) => event.sequence).sort()).toEqual(['s2', 's3']);
  });
});
