import { isDuplicateKey } from './duplicate-key.js';
import type { Models } from './models/index.js';
import { withDatabaseRetry } from './retry.js';

// The shared book of token-request slots (activities/lifecycle/pacing.ts): one insert per claim,
// one delete now and then for the old ones.

type Slots = Pick<Models, 'RenewalSlot'>;

/**
 * Takes slots `first` to `first + span - 1` in one ordered insert; false when another worker process
 * (or an earlier attempt) has one of them. Slots inserted before the clash stay taken until swept:
 * they start before the clashing slot, which is already at hand, so nobody is waiting for them.
 */
export async function claimRenewalSlots(models: Slots, platform: string, first: number, span: number, startsAt: Date): Promise<boolean> {
  const slots = Array.from({ length: span }, (_, i) => ({ _id: `${platform}:${first + i}`, at: startsAt }));
  try {
    // A retried insert that had landed finds its own slots taken: they are given up, never double-booked.
    await withDatabaseRetry(() => models.RenewalSlot.insertMany(slots, { ordered: true, lean: true }));
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
