import { cancelTargets, findTargets } from '../../db/posts.js';
import type { Models } from '../../db/models/index.js';
import type { PostTarget, TargetState } from '../../db/models/post-target.js';

// The post targets of the accounts benchmark: as many stored as accounts, and a post's cancel of
// three of them timed as it is now (`cancelTargets`: claim, read, write by `_id`, give back, per
// target) against the way it was (one `updateMany({_id: {$in}, state})`, then the three re-read).

const STATES: TargetState[] = ['published', 'scheduled', 'failed', 'canceled'];
const REASON = { code: 'canceled', message: 'Canceled by you' };

const storedTarget = (id: string, state: TargetState, now: Date): PostTarget => ({
  _id: id,
  postId: id.split(':')[0]!,
  accountId: 'bench-account',
  ownerId: 'bench-owner',
  penNameId: 'pen-0',
  platform: 'x',
  handle: 'bench',
  content: { text: `the text of ${id}, about as long as a post usually is, with a link https://example.com/${id}` },
  state,
  dueAt: now,
  attempts: state === 'scheduled' ? 0 : 1,
  updatedAt: now,
});

/** Stores targets until `to` are stored (from `from`); those named `cancel-<size>-*` stay scheduled for the cancels. */
export async function storeTargets(models: Models, input: { from: number; to: number; cancels: number; size: number }): Promise<void> {
  const now = new Date();
  const ids = [
    ...Array.from({ length: input.cancels }, (_, i) => `cancel-${input.size}-${i}:bench-account`),
    ...Array.from({ length: Math.max(0, input.to - input.from - input.cancels) }, (_, i) => `stored-${input.from + i}:bench-account`),
  ];
  for (let start = 0; start < ids.length; start += 1000) {
    const batch = ids.slice(start, start + 1000).map((id) => storedTarget(id, id.startsWith('cancel-') ? 'scheduled' : STATES[start % STATES.length]!, now));
    await models.PostTarget.collection.insertMany(batch as never[]);
  }
}

/** Three scheduled targets per call (`cancel-<size>-<3i..3i+2>`), the first half canceled now, the second half the former way. */
export function cancels(models: Models, size: number, samples: number) {
  const three = (i: number) => [0, 1, 2].map((k) => `cancel-${size}-${3 * i + k}:bench-account`);
  return {
    now: (i: number) => cancelTargets(models, three(i), REASON, new Date()),
    before: async (i: number) => {
      const ids = three(samples + i);
      await models.PostTarget.updateMany({ _id: { $in: ids }, state: 'scheduled' }, { $set: { state: 'canceled', reason: REASON, updatedAt: new Date() } });
      return findTargets(models, ids);
    },
  };
}
