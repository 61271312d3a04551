import { describe, expect, it } from 'vitest';
import { listConnectedAccountIds, upsertConnectedAccount } from '../../../db/accounts.js';
import type { PlatformAdapter } from '../../../platforms/types.js';
import { connectOAuth, inActivity, useActivityWorld } from './support.js';

const world = useActivityWorld();

describe('recordStatus', () => {
  it('writes the projection and ignores a lower or equal sequence', async () => {
    const { accountId } = await connectOAuth(world, 'x');
    const activities = world.activities();
    const read = async () => (await world.db.models.Account.findById(accountId).lean())?.status;

    await inActivity(activities.recordStatus, { accountId, status: 'active', queuePaused: false, sequence: 2, tokenExpiresAt: Date.UTC(2030, 0, 1), nextAction: 'renew', nextActionAt: Date.UTC(2029, 11, 31) });
    expect(await read()).toMatchObject({ state: 'active', sequence: 2, queuePaused: false, tokenExpiresAt: new Date(Date.UTC(2030, 0, 1)), nextAction: 'renew' });

    // The reason is stored as data: its moments as Dates, the one it wraps nested, absent fields left out.
    const at = Date.UTC(2029, 11, 30, 8, 0);
    await inActivity(activities.recordStatus, {
      accountId,
      status: 'expired',
      reason: { code: 'renewal_failing', at, count: 3, cause: { code: 'renewal_retrying', at: at - 60_000, detail: 'X answered HTTP 503' } },
      queuePaused: true,
      nextAction: 'waitForReconnect',
      sequence: 3,
    });
    const expired = await read();
    expect(expired).toMatchObject({ state: 'expired', sequence: 3, queuePaused: true, nextAction: 'waitForReconnect' });
    expect(expired?.reason).toEqual({ code: 'renewal_failing', at: new Date(at), count: 3, cause: { code: 'renewal_retrying', at: new Date(at - 60_000), detail: 'X answered HTTP 503' } });
    expect(expired?.tokenExpiresAt).toBeUndefined();

    await inActivity(activities.recordStatus, { accountId, status: 'active', queuePaused: false, sequence: 1 });
    await inActivity(activities.recordStatus, { accountId, status: 'active', queuePaused: false, sequence: 3 });
    expect(await read()).toMatchObject({ state: 'expired', sequence: 3 });
  });
});

describe('upsertConnectedAccount', () => {
  it('reconnecting the same identity keeps the account id and clears disconnectedAt', async () => {
    const identity = { externalId: 'ext-1', handle: 'someone', displayName: 'Some One', avatarUrl: 'https://a.example/1.png', meta: { pdsUrl: 'https://pds.example' } };
    const first = await upsertConnectedAccount(world.db.models, { ownerId: world.ownerId, penNameId: world.penNameId, platform: 'bluesky', identity });
    expect(first.created).toBe(true);
    await world.db.models.Account.updateOne({ _id: first.accountId }, { $set: { disconnectedAt: new Date() } });
    expect(await listConnectedAccountIds(world.db.models)).not.toContain(first.accountId);

    const again = await upsertConnectedAccount(world.db.models, {
      ownerId: world.ownerId,
      penNameId: world.penNameId,
      platform: 'bluesky',
      identity: { externalId: 'ext-1', handle: 'renamed', displayName: 'Renamed' },
    });
    expect(again).toEqual({ accountId: first.accountId, created: false });
    const doc = await world.db.models.Account.findById(first.accountId).lean();
    expect(doc).toMatchObject({ handle: 'renamed', displayName: 'Renamed', meta: {} });
    expect(doc?.disconnectedAt).toBeUndefined();
    expect(doc?.avatarUrl).toBeUndefined();
    expect(await listConnectedAccountIds(world.db.models)).toContain(first.accountId);
  });

  it('concurrent connects of one identity make one account', async () => {
    const input = { ownerId: world.ownerId, penNameId: world.penNameId, platform: 'tiktok' as const, identity: { externalId: 'race-1', handle: 'r', displayName: 'R' } };
    const results = await Promise.all([1, 2, 3, 4].map(() => upsertConnectedAccount(world.db.models, input)));
    expect(new Set(results.map((r) => r.accountId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });
});

describe('revokeCredentials', () => {
  it('X: revokes at the platform, deletes the credentials and marks the account disconnected; a retry completes', async () => {
    const connected = await connectOAuth(world, 'x', 'sandbox_carol');
    const activities = world.activities();
    const result = await inActivity(activities.revokeCredentials, connected.accountId);
    expect(result).toEqual({ code: 'revoked' });
    expect(await world.store.loadCredentials(connected.accountId)).toBeUndefined();
    const account = await world.db.models.Account.findById(connected.accountId).lean();
    expect(account?.disconnectedAt).toBeInstanceOf(Date);
    expect(await listConnectedAccountIds(world.db.models)).not.toContain(connected.accountId);
    const live = await world.control.tokens({ platform: 'x', externalId: connected.identity.externalId, live: true });
    expect(live).toHaveLength(0);

    const retry = await inActivity(activities.revokeCredentials, connected.accountId);
    expect(retry).toEqual({ code: 'noCredentials' });
  });

  it('a platform that refuses the revoke does not stop the disconnect', async () => {
    const connected = await connectOAuth(world, 'x');
    // The sandbox's revoke endpoints take no faults: stand in for an X outage during the revoke.
    const down: PlatformAdapter = { ...world.adapters.x!, revoke: async () => ({ kind: 'transient', message: 'X answered HTTP 503' }) };
    const result = await inActivity(world.activities({ adapters: { ...world.adapters, x: down } }).revokeCredentials, connected.accountId);
    expect(result).toEqual({ code: 'failed', detail: 'X answered HTTP 503' });
    expect(await world.store.loadCredentials(connected.accountId)).toBeUndefined();
  });

  it('Facebook: the shared login is revoked only with the last account that uses it', async () => {
    let revokes = 0;
    const stub = {
      id: 'facebook',
      displayName: 'Facebook',
      revoke: async () => {
        revokes++;
        return { kind: 'ok', value: { revokedAtPlatform: true } } as const;
      },
    } as unknown as PlatformAdapter;
    const activities = world.activities({ adapters: { ...world.adapters, facebook: stub } });
    const pages = await Promise.all(
      ['page-1', 'page-2'].map(async (externalId) => {
        const { accountId } = await upsertConnectedAccount(world.db.models, {
          ownerId: world.ownerId,
          penNameId: world.penNameId,
          platform: 'facebook',
          identity: { externalId, handle: externalId, displayName: externalId, meta: { userId: 'fb-user-1' } },
        });
        await world.store.storeConnectedCredentials(accountId, { accessToken: `page-token-${externalId}` }, new Date());
        return accountId;
      }),
    );
    const first = await inActivity(activities.revokeCredentials, pages[0]!);
    expect(first).toEqual({ code: 'sharedLogin' });
    expect(revokes).toBe(0);
    expect(await world.store.loadCredentials(pages[0]!)).toBeUndefined();

    const last = await inActivity(activities.revokeCredentials, pages[1]!);
    expect(last).toEqual({ code: 'revoked' });
    expect(revokes).toBe(1);
  });
});
