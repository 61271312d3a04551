import { giveBackClaim, takeClaim } from './claims.js';
import type { Models } from './models/index.js';
import { withDatabaseRetry } from './retry.js';
import { CHANGE_LEASE_MS } from './target-changes.js';

// A user's changes of one post (an edit, a cancel) are made one at a time: each holds the post's
// change claim while it writes the post and its targets and tells the accounts' queues. Target
// claims alone (target-changes.ts) keep a change away from a publish attempt, not from another
// change: of two edits at once, the later one found the targets held by the earlier, yet wrote
// the post's text, and the post then showed words its targets did not carry.

export const postChangeKeyOf = (postId: string) => `change:${postId}`;

export type PostChange<R> = { made: true; value: R } | { made: false };

/** Runs `change` while holding the post's change claim; `made: false` (nothing run) while another change holds it. */
export async function oneChangeAtATime<R>(models: Pick<Models, 'Claim'>, input: { postId: string; holder: string; now: Date }, change: () => Promise<R>): Promise<PostChange<R>> {
  const key = postChangeKeyOf(input.postId);
  const answer = await withDatabaseRetry(() => takeClaim(models, { key, holder: input.holder, now: input.now, leaseMs: CHANGE_LEASE_MS }));
  if (!answer.won) return { made: false };
  try {
    return { made: true, value: await change() };
  } finally {
    // Given back, not ended: the next change takes the same generation, so a post's claims never pile up.
    await withDatabaseRetry(() => giveBackClaim(models, { key, generation: answer.generation }));
  }
}
