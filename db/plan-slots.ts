import { isDuplicateKey } from './duplicate-key.js';
import type { Models } from './models/index.js';

// The connected-account limit of a user's plan, enforced with one slot document per connected
// account (db/models/plan-slot.ts). Claiming inserts the lowest free slot below the limit; the
// unique `_id` lets only one of two simultaneous claims take a slot, so a plan can never be
// exceeded by racing connects, on MongoDB or FerretDB.

export type SlotClaim = { ok: true; slot: number; alreadyHeld: boolean } | { ok: false; limit: number; used: number };

export async function slotsUsed(models: Models, ownerId: string): Promise<number> {
  return models.PlanSlot.countDocuments({ ownerId });
}

async function heldBy(models: Models, ownerId: string, holder: string): Promise<number | undefined> {
  const held = await models.PlanSlot.findOne({ ownerId, holder }, { slot: 1 }).lean();
  return held?.slot;
}

/**
 * Takes a slot for `holder` under `limit`, or answers that the limit is reached. Idempotent: a
 * holder that already has a slot keeps it.
 */
export async function claimSlot(models: Models, input: { ownerId: string; holder: string; limit: number; now?: Date }): Promise<SlotClaim> {
  const { ownerId, holder, limit } = input;
  const existing = await heldBy(models, ownerId, holder);
  if (existing !== undefined) return { ok: true, slot: existing, alreadyHeld: true };

  const taken = new Set((await models.PlanSlot.find({ ownerId }, { slot: 1 }).lean()).map((doc) => doc.slot));
  for (let slot = 0; slot < limit; slot++) {
    if (taken.has(slot)) continue;
    try {
      await models.PlanSlot.create({ _id: `${ownerId}:${slot}`, ownerId, slot, holder, claimedAt: input.now ?? new Date() });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // Either another connect took this slot (try the next) or this holder just got one elsewhere.
      const raced = await heldBy(models, ownerId, holder);
      if (raced !== undefined) return { ok: true, slot: raced, alreadyHeld: true };
      continue;
    }
    // Slots at or above the limit survive a downgrade, so the free slot may not mean room is left:
    // if the user now holds more than the limit, give this one back. Only the over-limit case can
    // get here, and every racing claim sees the same count, so none of them can exceed the limit.
    const used = await slotsUsed(models, ownerId);
    if (used > limit) {
      await models.PlanSlot.deleteOne({ _id: `${ownerId}:${slot}`, holder });
      return { ok: false, limit, used: used - 1 };
    }
    return { ok: true, slot, alreadyHeld: false };
  }
  return { ok: false, limit, used: await slotsUsed(models, ownerId) };
}

/** Frees the holder's slot (disconnect, or a connect that failed after claiming). */
export async function releaseSlot(models: Models, input: { ownerId: string; holder: string }): Promise<boolean> {
  const result = await models.PlanSlot.deleteOne({ ownerId: input.ownerId, holder: input.holder });
  return result.deletedCount === 1;
}
