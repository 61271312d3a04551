import type { Models } from '../../db/models/index.js';

// Posts waiting on one account: what a disconnect would make fail, and how many wait per account
// while a queue is paused. Fixed query counts, whatever the number of posts.

export interface AffectedPost {
  id: string;
  scheduledFor: Date;
  excerpt: string;
}

const EXCERPT = 80;
const LISTED = 50;

export async function scheduledPostsAffectedBy(models: Models, accountId: string): Promise<AffectedPost[]> {
  const targets = await models.PostTarget.find({ accountId, state: { $in: ['scheduled', 'publishing'] } }, { postId: 1, dueAt: 1 })
    .sort({ dueAt: 1 })
    .limit(LISTED)
    .lean();
  if (targets.length === 0) return [];
  const posts = await models.Post.find({ _id: { $in: targets.map((target) => target.postId) } }, { text: 1 }).lean();
  const textOf = new Map(posts.map((post) => [post._id, post.text]));
  return targets.map((target) => {
    const text = textOf.get(target.postId) ?? '';
    return { id: target.postId, scheduledFor: target.dueAt, excerpt: text.length > EXCERPT ? `${text.slice(0, EXCERPT - 1)}…` : text };
  });
}

/** Scheduled posts per account, for the given accounts of a pen name, in one aggregation. */
export async function waitingPostCounts(models: Models, input: { ownerId: string; penNameId: string }, accountIds: string[]): Promise<Map<string, number>> {
  const rows = await models.PostTarget.aggregate<{ _id: string; count: number }>([
    { $match: { ownerId: input.ownerId, penNameId: input.penNameId, accountId: { $in: accountIds }, state: 'scheduled' } },
    { $group: { _id: '$accountId', count: { $sum: 1 } } },
  ]);
  return new Map(rows.map((row) => [row._id, row.count]));
}
