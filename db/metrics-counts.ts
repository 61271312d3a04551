import { ACCOUNT_STATES, type AccountState } from './models/account.js';
import type { Models } from './models/index.js';

// The counts operators watch, read in one pass over the accounts whatever their number
// (one $group: FerretDB 1.24 has no $facet); the paused accounts are looked up only when there are some.

export interface AccountCounts {
  byState: Record<AccountState, number>;
  /** Scheduled posts of accounts whose queue is paused (expired). */
  pausedPosts: number;
  /** The due time of the longest-waiting of those posts. */
  oldestPausedDueAt?: Date;
}

export async function readAccountCounts(models: Models): Promise<AccountCounts> {
  // One pass over the accounts (FerretDB 1.24 reads the whole collection for any count): a count per
  // state took five, and each slowed every account write while it ran (most at 10,000 accounts).
  const groups = await models.Account.aggregate<{ _id: { state?: AccountState; paused?: boolean }; n: number }>([
    { $group: { _id: { state: '$status.state', paused: '$status.queuePaused' }, n: { $sum: 1 } } },
  ]);
  const byState = Object.fromEntries(ACCOUNT_STATES.map((state) => [state, 0])) as Record<AccountState, number>;
  for (const group of groups) if (group._id.state !== undefined && group._id.state in byState) byState[group._id.state] += group.n;
  if (!groups.some((group) => group._id.paused === true)) return { byState, pausedPosts: 0 };
  const paused = await models.Account.find({ 'status.queuePaused': true, disconnectedAt: { $exists: false } }, { _id: 1 }).lean();
  if (paused.length === 0) return { byState, pausedPosts: 0 };
  const waiting = { accountId: { $in: paused.map((account) => account._id) }, state: 'scheduled' as const };
  const [pausedPosts, oldest] = await Promise.all([
    models.PostTarget.countDocuments(waiting),
    models.PostTarget.findOne(waiting, { dueAt: 1 }).sort({ dueAt: 1 }).lean(),
  ]);
  return { byState, pausedPosts, ...(oldest ? { oldestPausedDueAt: oldest.dueAt } : {}) };
}
