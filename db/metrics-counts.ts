import { ACCOUNT_STATES, type AccountState } from './models/account.js';
import type { Models } from './models/index.js';

// The counts operators watch, read with a handful of count queries whatever the number of accounts
// (FerretDB 1.24 has no $facet, and counts are portable everywhere).

export interface AccountCounts {
  byState: Record<AccountState, number>;
  /** Scheduled posts of accounts whose queue is paused (expired). */
  pausedPosts: number;
  /** The due time of the longest-waiting of those posts. */
  oldestPausedDueAt?: Date;
}

export async function readAccountCounts(models: Models): Promise<AccountCounts> {
  const counts = await Promise.all(ACCOUNT_STATES.map((state) => models.Account.countDocuments({ 'status.state': state })));
  const byState = Object.fromEntries(ACCOUNT_STATES.map((state, i) => [state, counts[i] ?? 0])) as Record<AccountState, number>;
  const paused = await models.Account.find({ 'status.queuePaused': true, disconnectedAt: { $exists: false } }, { _id: 1 }).lean();
  if (paused.length === 0) return { byState, pausedPosts: 0 };
  const waiting = { accountId: { $in: paused.map((account) => account._id) }, state: 'scheduled' as const };
  const [pausedPosts, oldest] = await Promise.all([
    models.PostTarget.countDocuments(waiting),
    models.PostTarget.findOne(waiting, { dueAt: 1 }).sort({ dueAt: 1 }).lean(),
  ]);
  return { byState, pausedPosts, ...(oldest ? { oldestPausedDueAt: oldest.dueAt } : {}) };
}
