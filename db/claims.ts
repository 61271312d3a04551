import { driverCollection } from './driver-collection.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { Claim } from './models/claim.js';
import type { Models } from './models/index.js';

// Exclusive claims that hold on MongoDB and FerretDB: inserting `<key>#<generation>` is the only
// decision. A claim that is live (before `until`) keeps every other attempt out; one that ended
// without an outcome (released, or its holder died) lets the next generation be taken; one that
// ended with an outcome ends the key for good. Every read and write is by `_id`.

type Claims = Pick<Models, 'Claim'>;

export type ClaimAnswer =
  | { won: true; generation: number }
  /** Another attempt holds the key until `until`. */
  | { won: false; heldUntil: Date }
  /** The work was done for good by an earlier holder. */
  | { won: false; outcome: string };

export const claimIdOf = (key: string, generation: number) => `${key}#${generation}`;

/**
 * Takes the first free generation of `key`, starting at `from` (a hint: a caller that knows how
 * many attempts were made starts there, so the normal case is one insert).
 */
export async function takeClaim(
  models: Claims,
  input: { key: string; from?: number; holder: string; now: Date; leaseMs: number },
): Promise<ClaimAnswer> {
  const { key, holder, now, leaseMs } = input;
  let vanished = 0;
  for (let generation = Math.max(1, input.from ?? 1); ; generation++) {
    try {
      // Through the driver: the same insert without a mongoose document (its fields are all set here).
      await driverCollection(models.Claim).insertOne({ _id: claimIdOf(key, generation), key, generation, holder, until: new Date(now.getTime() + leaseMs) } satisfies Claim);
      return { won: true, generation };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const taken = await models.Claim.findById(claimIdOf(key, generation)).lean();
    if (!taken) {
      // Swept between our insert and read: that generation is free again.
      if (++vanished > 3) throw new Error(`claim ${key} keeps vanishing`);
      generation--;
      continue;
    }
    if (taken.outcome !== undefined) return { won: false, outcome: taken.outcome };
    if (taken.until > now) return { won: false, heldUntil: taken.until };
  }
}

/**
 * Ends a claim. With an outcome the key is done for good; without one, the next generation may be
 * taken at once. Only the holder writes its claim, so this point update races with nobody.
 */
export async function endClaim(models: Claims, input: { key: string; generation: number; now: Date; outcome?: string }): Promise<void> {
  const set: Partial<Claim> = { until: input.now };
  if (input.outcome !== undefined) set.outcome = input.outcome;
  await models.Claim.updateOne({ _id: claimIdOf(input.key, input.generation) }, { $set: set });
}

/**
 * Gives back a claim that did none of the claimed work (it only kept others out while its holder
 * changed something): its generation is free again, as if never taken, so the next attempt takes
 * the same number. An attempt that read it meanwhile finds it gone and inserts again (`takeClaim`).
 */
export async function giveBackClaim(models: Claims, input: { key: string; generation: number }): Promise<void> {
  await models.Claim.deleteOne({ _id: claimIdOf(input.key, input.generation) });
}

/** Moves a live claim's end to `until` (its holder is still working); an ended claim stays ended. */
export async function extendClaim(models: Claims, input: { key: string; generation: number; until: Date }): Promise<void> {
  await models.Claim.updateOne({ _id: claimIdOf(input.key, input.generation), outcome: { $exists: false } }, { $set: { until: input.until } });
}

/**
 * Deletes claims that ended before `before`. Safe once no attempt can still be looking at them:
 * callers pass a cutoff far beyond every activity's timeout, and every claimed piece of work also
 * records its state on its own document (a notification's channel, a target, a credential version).
 */
export async function sweepClaims(models: Claims, before: Date): Promise<number> {
  return (await models.Claim.deleteMany({ until: { $lt: before } })).deletedCount;
}
