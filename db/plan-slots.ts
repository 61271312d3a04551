import { isDuplicateKey } from './duplicate-key.js';
import type { Models } from './models/index.js';
import { holderIdOf } from './models/plan-slot-holder.js';
import { withDatabaseRetry } from './retry.js';

// The connected-account limit of a user's plan, enforced with one slot document per connected
// account (db/models/plan-slot.ts). Claiming inserts the lowest free slot below the limit; the
// unique `_id` lets only one of two simultaneous claims take a slot, so a plan can never be
// exceeded by racing connects, on MongoDB or FerretDB. A holder's slot is found by a point read
// of its holder record (db/models/plan-slot-holder.ts), so a reconnect costs one read.

export type SlotClaim = { ok: true; slot: number; alreadyHeld: boolean } | { ok: false; limit: number; used: number };

/** Slots the user holds: a count (a scan on FerretDB), for pages and plan changes, never on a reconnect. */
export async function slotsUsed(models: Models, ownerId: string): Promise<number> {
  return models.PlanSlot.countDocuments({ ownerId });
}

/** The slot `holder` holds: its record by `_id`, else (a slot claimed before records existed, or one whose record a crash lost) the slot itself. */
async function heldBy(models: Models, ownerId: string, holder: string, recordedOnly = false): Promise<number | undefined> {
  const recorded = await withDatabaseRetry(() => models.PlanSlotHolder.findById(holderIdOf(ownerId, holder)).lean());
  if (recorded || recordedOnly) return recorded?.slot;
  const held = await withDatabaseRetry(() => models.PlanSlot.findOne({ ownerId, holder }, { slot: 1 }).lean());
  if (held) await record(models, ownerId, holder, held.slot);
  return held?.slot;
}

const record = (models: Models, ownerId: string, holder: string, slot: number) =>
  withDatabaseRetry(() => models.PlanSlotHolder.updateOne({ _id: holderIdOf(ownerId, holder) }, { $set: { slot } }, { upsert: true }));

/**
 * Takes a slot for `holder` under `limit`, or answers that the limit is reached. Idempotent: a
 * holder that already has a slot keeps it.
 */
export async function claimSlot(models: Models, input: { ownerId: string; holder: string; limit: number; now?: Date }): Promise<SlotClaim> {
  const { ownerId, holder, limit } = input;
  const existing = await heldBy(models, ownerId, holder, true);
  if (existing !== undefined) return { ok: true, slot: existing, alreadyHeld: true };

  const taken = new Set((await withDatabaseRetry(() => models.PlanSlot.find({ ownerId }, { slot: 1 }).lean())).map((doc) => doc.slot));
  for (let slot = 0; slot < limit; slot++) {
    if (taken.has(slot)) continue;
    try {
      await withDatabaseRetry(() => models.PlanSlot.create({ _id: `${ownerId}:${slot}`, ownerId, slot, holder, claimedAt: input.now ?? new Date() }));
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // Either another connect took this slot (try the next) or this holder holds one already.
      const raced = await heldBy(models, ownerId, holder);
      if (raced !== undefined) return { ok: true, slot: raced, alreadyHeld: true };
      continue;
    }
    // Slots at or above the limit survive a downgrade, so the free slot may not mean room is left:
    // if the user now holds more than the limit, give this one back. Only the over-limit case can
    // get here, and every racing claim sees the same count, so none of them can exceed the limit.
    if ([...taken].some((held) => held >= limit)) {
      const used = await slotsUsed(models, ownerId);
      if (used > limit) {
        await withDatabaseRetry(() => models.PlanSlot.deleteOne({ _id: `${ownerId}:${slot}` }));
        return { ok: false, limit, used: used - 1 };
      }
    }
    await record(models, ownerId, holder, slot);
    return { ok: true, slot, alreadyHeld: false };
  }
  return { ok: false, limit, used: await slotsUsed(models, ownerId) };
}

/**
 * Frees the holder's slot (disconnect, or a connect that failed after claiming). The record goes
 * first, so a record never outlives its slot: a crash in between leaves a slot without a record,
 * which the holder's next claim finds again.
 */
export async function releaseSlot(models: Models, input: { ownerId: string; holder: string }): Promise<boolean> {
  const slot = await heldBy(models, input.ownerId, input.holder, true);
  await withDatabaseRetry(() => models.PlanSlotHolder.deleteOne({ _id: holderIdOf(input.ownerId, input.holder) }));
  const result = await withDatabaseRetry(() =>
    slot === undefined ? models.PlanSlot.deleteOne({ ownerId: input.ownerId, holder: input.holder }) : models.PlanSlot.deleteOne({ _id: `${input.ownerId}:${slot}` }),
  );
  return result.deletedCount === 1;
}
