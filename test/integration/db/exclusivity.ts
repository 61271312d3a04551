import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { publishingActivities } from '../../../activities/publishing/index.js';
import { forgetAccount, upsertConnectedAccount } from '../../../db/accounts.js';
import { endClaim, takeClaim } from '../../../db/claims.js';
import { slotHolderFor } from '../../../db/models/plan-slot.js';
import { claimSlot } from '../../../db/plan-slots.js';
import { createPost, writePendingTargets } from '../../../db/posts.js';
import type { PlatformAdapter } from '../../../platforms/types.js';
import { connectOAuth, inActivity, useActivityWorld } from '../activities/support.js';

// Everything that must happen once, attempted many times at once on one database server: exactly
// one attempt wins each time. Run on the integration tier's server (exclusivity.test.ts) and on
// FerretDB's PostgreSQL backend (postgresql-backend.test.ts).

const MANY = 12;
const many = <T>(attempt: (index: number) => Promise<T>) => Promise.all(Array.from({ length: MANY }, (_, index) => attempt(index)));
const settled = <T>(attempt: (index: number) => Promise<T>) => Promise.allSettled(Array.from({ length: MANY }, (_, index) => attempt(index)));

/** The exclusivity tests on the server `mongoUri` names (default the integration tier's). */
export function describeExclusiveClaims(name: string, options: { mongoUri?: () => string } = {}): void {
  describe(name, () => {
    const world = useActivityWorld({ configOverrides: (): Record<string, string> => (options.mongoUri ? { MONGODB_URI: options.mongoUri() } : {}) });

    it('a claim: one winner per generation; an ended claim lets exactly one next attempt in; an outcome ends the key', async () => {
      const key = `test:${Date.now()}`;
      const now = new Date();
      const first = await many((index) => takeClaim(world.db.models, { key, holder: `h${index}`, now, leaseMs: 60_000 }));
      expect(first.filter((answer) => answer.won)).toEqual([{ won: true, generation: 1 }]);
      expect(first.filter((answer) => !answer.won && 'heldUntil' in answer)).toHaveLength(MANY - 1);

      await endClaim(world.db.models, { key, generation: 1, now: new Date() });
      const second = await many((index) => takeClaim(world.db.models, { key, holder: `again${index}`, now: new Date(), leaseMs: 60_000 }));
      expect(second.filter((answer) => answer.won)).toEqual([{ won: true, generation: 2 }]);

      await endClaim(world.db.models, { key, generation: 2, now: new Date(), outcome: 'sent' });
      const third = await many((index) => takeClaim(world.db.models, { key, from: 2, holder: `late${index}`, now: new Date(), leaseMs: 60_000 }));
      expect(third.every((answer) => !answer.won && 'outcome' in answer && answer.outcome === 'sent')).toBe(true);
    });

    it('a claim whose holder died is taken over by exactly one attempt once its lease ended', async () => {
      const key = `dead:${Date.now()}`;
      await takeClaim(world.db.models, { key, holder: 'dead', now: new Date(Date.now() - 120_000), leaseMs: 60_000 });
      const answers = await many((index) => takeClaim(world.db.models, { key, holder: `h${index}`, now: new Date(), leaseMs: 60_000 }));
      expect(answers.filter((answer) => answer.won)).toEqual([{ won: true, generation: 2 }]);
    });

    it('renewal: many attempts with one known version make one platform refresh', async () => {
      const connected = await connectOAuth(world, 'x');
      const counters = () => world.control.counters({ platform: 'x', externalId: connected.identity.externalId });
      const before = await counters();
      const activities = world.activities();
      const results = await many(() => inActivity(activities.renewCredentials, { accountId: connected.accountId, knownVersion: connected.version }));
      for (const result of results) expect(result).toMatchObject({ outcome: 'ok', facts: { version: connected.version + 1 } });
      const after = await counters();
      expect(after.refreshes - before.refreshes).toBe(1);
      expect(after.refreshTokenReuse - before.refreshTokenReuse).toBe(0);
    });

    it('credential versions: many writers expecting one version, one of them stores it', async () => {
      const { accountId, version } = await connectOAuth(world, 'x');
      const writes = await many((index) => world.store.replaceAfterRenewal(accountId, version, { accessToken: `a-${index}`, refreshToken: `r-${index}` }, new Date()));
      expect(writes.filter((write) => write.kind === 'replaced')).toEqual([{ kind: 'replaced', version: version + 1 }]);
      expect((await world.store.loadLatestCredentials(accountId))?.version).toBe(version + 1);
    });

    it('publishing: many attempts on one target call the platform once; the others wait or see it published', async () => {
      const connected = await connectOAuth(world, 'x');
      const post = await createPost(
        world.db.models,
        { ownerId: world.ownerId, penNameId: world.penNameId, kind: 'scheduled', text: `once ${Date.now()}`, timeZone: 'UTC', publishAt: new Date(), targets: [{ accountId: connected.accountId, platform: 'x', handle: connected.identity.handle }] },
        new Date(),
      );
      const real = world.adapters.x!;
      let publishCalls = 0;
      // A slow platform keeps the first attempt inside its claim while the others arrive.
      const slow: PlatformAdapter = { ...real, tokenPolicy: (c) => real.tokenPolicy(c), publish: async (...args) => (publishCalls++, await sleep(300), real.publish(...args)) };
      const activities = publishingActivities({ models: world.db.models, adapters: { ...world.adapters, x: slow }, config: world.config, workerIdentity: 'test-worker' });
      const target = { postId: post._id, accountId: connected.accountId };
      const results = await settled(() => inActivity(activities.publishPost, target));
      expect(publishCalls).toBe(1);
      const published = results.filter((result) => result.status === 'fulfilled' && result.value.outcome === 'published');
      const waiting = results.filter((result) => result.status === 'rejected' && /another attempt is publishing/.test(String(result.reason)));
      expect(published.length).toBeGreaterThanOrEqual(1);
      expect(published.length + waiting.length).toBe(MANY);
      // Temporal retries the waiting ones: they find it published and call nobody.
      expect((await inActivity(activities.publishPost, target)).outcome).toBe('published');
      expect(publishCalls).toBe(1);
      expect(await world.control.posts({ platform: 'x', externalId: connected.identity.externalId })).toHaveLength(1);
    });

    it('a first connect of one identity from many requests makes one account, created once', async () => {
      const identity = { externalId: `racer-${Date.now()}`, handle: 'racer', displayName: 'Racer' };
      const results = await many(() => upsertConnectedAccount(world.db.models, { ownerId: world.ownerId, penNameId: world.penNameId, platform: 'bluesky', identity }));
      expect(new Set(results.map((result) => result.accountId)).size).toBe(1);
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(await world.db.models.Account.countDocuments({ penNameId: world.penNameId, externalId: identity.externalId })).toBe(1);
    });

    it('a plan slot: many claims of one holder take one slot; many holders never exceed the limit', async () => {
      const ownerId = `slots-${Date.now()}`;
      const same = await many(() => claimSlot(world.db.models, { ownerId, holder: 'same', limit: 5 }));
      expect(new Set(same.map((claim) => (claim.ok ? claim.slot : -1)))).toEqual(new Set([0]));
      const others = await many((index) => claimSlot(world.db.models, { ownerId, holder: `h${index}`, limit: 5 }));
      expect(others.filter((claim) => claim.ok)).toHaveLength(4);
      expect(await world.db.models.PlanSlot.countDocuments({ ownerId })).toBe(5);
    });

    it('disconnect: many forgets of one account free its slot once and leave no tokens', async () => {
      const connected = await connectOAuth(world, 'x');
      const account = (await world.db.models.Account.findById(connected.accountId).lean())!;
      const holder = slotHolderFor(account);
      await claimSlot(world.db.models, { ownerId: account.ownerId, holder, limit: 50 });
      const other = await claimSlot(world.db.models, { ownerId: account.ownerId, holder: 'someone-else', limit: 50 });
      await many(() => forgetAccount(world.db.models, world.store, account, new Date()));
      expect(await world.store.loadCredentials(account._id)).toBeUndefined();
      expect((await world.db.models.Account.findById(account._id).lean())?.disconnectedAt).toBeInstanceOf(Date);
      expect(await world.db.models.PlanSlot.countDocuments({ ownerId: account.ownerId, holder })).toBe(0);
      expect(await world.db.models.PlanSlot.countDocuments({ ownerId: account.ownerId, holder: 'someone-else' })).toBe(other.ok ? 1 : 0);
    });

    it('self-healing: many passes over a post left without targets write each target once', async () => {
      const connected = await connectOAuth(world, 'x');
      const postId = `pending-${Date.now()}`;
      const createdAt = new Date(Date.now() - 120_000);
      await world.db.models.Post.create({
        _id: postId,
        ownerId: world.ownerId,
        penNameId: world.penNameId,
        kind: 'scheduled',
        text: 'left behind',
        timeZone: 'UTC',
        publishAt: new Date(Date.now() + 3_600_000),
        targets: [{ accountId: connected.accountId, platform: 'x', handle: connected.identity.handle }],
        targetsPending: true,
        createdAt,
        updatedAt: createdAt,
      });
      await many(() => writePendingTargets(world.db.models, new Date(), 100));
      expect(await world.db.models.PostTarget.countDocuments({ postId })).toBe(1);
      expect((await world.db.models.Post.findById(postId).lean())?.targetsPending).toBeUndefined();
    });
  });
}
