import { isDuplicateKey } from './duplicate-key.js';
import type { Models } from './models/index.js';

// The shared book of token-request slots (activities/lifecycle/pacing.ts): one insert per slot
// taken, one delete now and then for the old ones.

type Slots = Pick<Models, 'RenewalSlot'>;

/** Takes the slot; false when another worker process (or an earlier attempt) has it. */
export async function claimRenewalSlot(models: Slots, platform: string, slot: number, startsAt: Date): Promise<boolean> {
  try {
    await models.RenewalSlot.create({ _id: `${platform}:${slot}`, at: startsAt });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/** Deletes slots that started before `before`: only slots about to start are ever claimed. */
export async function sweepRenewalSlots(models: Slots, before: Date): Promise<number> {
  return (await models.RenewalSlot.deleteMany({ at: { $lt: before } })).deletedCount;
}
