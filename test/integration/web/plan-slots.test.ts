import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { claimSlot, releaseSlot, slotsUsed } from '../../../db/plan-slots.js';
import { claimSlotForPlan } from '../../../services/plans/slots.js';
import { slotHolderFor } from '../../../db/models/plan-slot.js';
import { useTestDatabase } from '../../helpers/integration.js';

// The plan limit against the real MongoDB-wire server, where conditional updates are not atomic
// under concurrency but unique-index inserts are.

describe('plan slots', () => {
  const db = useTestDatabase();

  const holders = (n: number) => Array.from({ length: n }, (_, i) => `pen:x:${i}-${randomUUID().slice(0, 6)}`);

  it('lets ten simultaneous connects take at most the five slots a plan allows', async () => {
    const ownerId = randomUUID();
    const results = await Promise.all(holders(10).map((holder) => claimSlot(db.models, { ownerId, holder, limit: 5 })));
    const granted = results.filter((r) => r.ok);
    expect(granted).toHaveLength(5);
    expect(granted.map((r) => (r.ok ? r.slot : -1)).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(await slotsUsed(db.models, ownerId)).toBe(5);
    for (const refused of results.filter((r) => !r.ok)) expect(refused).toMatchObject({ ok: false, limit: 5 });
  });

  it('lets exactly one of two simultaneous connects take the last slot', async () => {
    for (let round = 0; round < 5; round++) {
      const ownerId = randomUUID();
      await claimSlot(db.models, { ownerId, holder: 'first', limit: 2 });
      const [a, b] = await Promise.all(holders(2).map((holder) => claimSlot(db.models, { ownerId, holder, limit: 2 })));
      expect([a!.ok, b!.ok].filter(Boolean)).toHaveLength(1);
      expect(await slotsUsed(db.models, ownerId)).toBe(2);
    }
  });

  it('gives a holder one slot however often it claims (reconnects keep theirs)', async () => {
    const ownerId = randomUUID();
    const results = await Promise.all(Array.from({ length: 6 }, () => claimSlot(db.models, { ownerId, holder: 'same', limit: 5 })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => (r.ok ? r.slot : -1))).size).toBe(1);
    expect(await slotsUsed(db.models, ownerId)).toBe(1);
  });

  it('refuses every connect on a plan with no slots', async () => {
    const ownerId = randomUUID();
    expect(await claimSlot(db.models, { ownerId, holder: 'h', limit: 0 })).toEqual({ ok: false, limit: 0, used: 0 });
  });

  it('frees a slot on release for the next connect', async () => {
    const ownerId = randomUUID();
    const [h1, h2, h3] = holders(3) as [string, string, string];
    await claimSlot(db.models, { ownerId, holder: h1, limit: 2 });
    await claimSlot(db.models, { ownerId, holder: h2, limit: 2 });
    expect((await claimSlot(db.models, { ownerId, holder: h3, limit: 2 })).ok).toBe(false);
    expect(await releaseSlot(db.models, { ownerId, holder: h1 })).toBe(true);
    expect(await releaseSlot(db.models, { ownerId, holder: h1 })).toBe(false);
    expect(await claimSlot(db.models, { ownerId, holder: h3, limit: 2 })).toMatchObject({ ok: true, slot: 0 });
  });

  it('never exceeds a smaller plan after a downgrade left slots above its limit', async () => {
    const ownerId = randomUUID();
    const held = holders(6);
    for (const holder of held) await claimSlot(db.models, { ownerId, holder, limit: 6 });
    // Downgraded to 4 with slots 0..5 held; freeing 0, 1, 2 leaves 3 held (slots 3, 4, 5): room for one.
    for (const holder of held.slice(0, 3)) await releaseSlot(db.models, { ownerId, holder });
    const results = await Promise.all(holders(10).map((holder) => claimSlot(db.models, { ownerId, holder, limit: 4 })));
    expect(results.filter((r) => r.ok).length).toBeLessThanOrEqual(1);
    expect(await slotsUsed(db.models, ownerId)).toBeLessThanOrEqual(4);
    // Over the limit: nothing new connects.
    await claimSlot(db.models, { ownerId, holder: 'fill', limit: 4 });
    expect((await claimSlot(db.models, { ownerId, holder: 'more', limit: 2 })).ok).toBe(false);
  });

  it('keeps users apart and reads the limit from the user plan', async () => {
    const user = await db.models.User.create({ email: `${randomUUID()}@example.com`, name: 'P', plan: 'starter' });
    const other = randomUUID();
    await claimSlot(db.models, { ownerId: other, holder: 'h', limit: 1 });
    const plans = { limits: { free: 0, starter: 1 }, defaultPlan: 'free', selfServe: true };
    const holder = slotHolderFor({ penNameId: 'p', platform: 'x', externalId: '42' });
    expect(holder).toBe('p:x:42');
    expect(await claimSlotForPlan(db.models, plans, { ownerId: user._id, holder })).toMatchObject({ ok: true, slot: 0 });
    expect((await claimSlotForPlan(db.models, plans, { ownerId: user._id, holder: 'p:x:43' })).ok).toBe(false);
    await db.models.User.updateOne({ _id: user._id }, { $set: { plan: 'free' } });
    await releaseSlot(db.models, { ownerId: user._id, holder });
    expect((await claimSlotForPlan(db.models, plans, { ownerId: user._id, holder })).ok).toBe(false);
  });
});
