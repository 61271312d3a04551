import type { UpdateFilter } from 'mongodb';
import { giveBackClaim, takeClaim } from './claims.js';
import { driverCollection } from './driver-collection.js';
import { withDatabaseRetry } from './retry.js';
import type { Models } from './models/index.js';
import type { PostTarget } from './models/post-target.js';

// Changes to a target that is not being published (a cancel, a move, an edit, a retry, the account
// workflow's settling of overdue and failed posts) hold the target's publish claim while they read
// and write it by `_id`. FerretDB answers only `{_id: <value>}` from an index and its conditional
// updates are not atomic (db/README.md), so "only while still scheduled" cannot be a filter: the
// claim keeps the change and a publish attempt apart on both servers, and the change checks the
// state it re-read under the claim. The claim is given back (deleted), not ended, so the next
// publish attempt takes the same number: a target's attempts count publish attempts only.

export const publishKeyOf = (targetId: string) => `publish:${targetId}`;

/** How long a change may hold a target: far beyond a few point writes, even on a busy database. */
export const CHANGE_LEASE_MS = 60_000;

export type TargetUpdate = UpdateFilter<PostTarget>;

/** One target a change asked for, as it found it. */
export type HeldTarget =
  /** Held: `target` is as it is now (read under the claim). */
  | { kind: 'held'; target: PostTarget }
  /** Not in a state the change applies to (as read before or under the claim): left alone. */
  | { kind: 'left'; target: PostTarget }
  /** A publish attempt, or another change, holds it. */
  | { kind: 'busy'; targetId: string }
  | { kind: 'gone'; targetId: string };

/**
 * The claim generation a change or a publish attempt starts at: the next attempt's number for a
 * scheduled target, the last attempt's for any other, whose attempt may still be live.
 */
export const generationOf = (target: PostTarget) => (target.state === 'scheduled' ? target.attempts + 1 : target.attempts);

/** A target by `_id`, through the driver (read for every published post). */
export const readTarget = (models: Models, targetId: string): Promise<PostTarget | null> =>
  withDatabaseRetry(() => driverCollection(models.PostTarget).findOne({ _id: targetId }));

export interface HoldInput {
  /** Each target as the caller last read it (its state and attempts name the claim), or its id (then read first). */
  targets: (PostTarget | string)[];
  /** Which targets the change is for; the others are `left` without a claim. */
  applies: (target: PostTarget) => boolean;
  holder: string;
  now: Date;
}

/**
 * Holds the publish claim of each target the change applies to while `work` runs, and gives every
 * claim back afterwards, also when `work` throws.
 */
export async function holdTargets<R>(models: Models, input: HoldInput, work: (held: HeldTarget[]) => Promise<R>): Promise<R> {
  const taken: { key: string; generation: number }[] = [];
  const hold = async (known: PostTarget | string): Promise<HeldTarget> => {
    const targetId = typeof known === 'string' ? known : known._id;
    const seen = typeof known === 'string' ? await readTarget(models, targetId) : known;
    if (!seen) return { kind: 'gone', targetId };
    if (!input.applies(seen)) return { kind: 'left', target: seen };
    const key = publishKeyOf(targetId);
    const answer = await withDatabaseRetry(() => takeClaim(models, { key, from: generationOf(seen), holder: input.holder, now: input.now, leaseMs: CHANGE_LEASE_MS }));
    if (!answer.won) return { kind: 'busy', targetId };
    taken.push({ key, generation: answer.generation });
    const current = await readTarget(models, targetId);
    if (!current) return { kind: 'gone', targetId };
    return input.applies(current) ? { kind: 'held', target: current } : { kind: 'left', target: current };
  };
  try {
    // Settled, not raced: every claim taken is known before any is given back.
    const answers = await Promise.allSettled(input.targets.map(hold));
    const failed = answers.find((answer) => answer.status === 'rejected');
    if (failed) throw failed.reason;
    return await work(answers.map((answer) => (answer as PromiseFulfilledResult<HeldTarget>).value));
  } finally {
    await Promise.all(taken.map((claim) => withDatabaseRetry(() => giveBackClaim(models, claim))));
  }
}

/** Writes `update` to a held target, by `_id`. */
export async function writeHeld(models: Models, targetId: string, update: TargetUpdate): Promise<void> {
  await withDatabaseRetry(() => driverCollection(models.PostTarget).updateOne({ _id: targetId }, update));
}

export type TargetChange = Exclude<HeldTarget, { kind: 'held' }> | { kind: 'changed'; target: PostTarget };

/**
 * One write per target, each only if the target (read under its claim) is still in a state
 * `change` answers an update for: claim, re-read, write by `_id`, give back.
 */
export async function changeTargets(
  models: Models,
  input: Omit<HoldInput, 'applies'>,
  change: (target: PostTarget) => TargetUpdate | undefined,
): Promise<TargetChange[]> {
  return holdTargets(models, { ...input, applies: (target) => change(target) !== undefined }, (held) =>
    Promise.all(
      held.map(async (answer): Promise<TargetChange> => {
        if (answer.kind !== 'held') return answer;
        await writeHeld(models, answer.target._id, change(answer.target)!);
        return { kind: 'changed', target: answer.target };
      }),
    ),
  );
}
