import type { Logger } from '../../config/logger.js';
import { readAccountCounts } from '../../db/metrics-counts.js';
import type { Models } from '../../db/models/index.js';
import type { WorkerMetrics } from './registry.js';

// Accounts by state and paused posts, refreshed on an interval: a scrape reads the last values,
// so scraping never costs a query per account (nor a query at all).

export const ACCOUNT_COUNTS_INTERVAL_MS = 60_000;

export async function refreshAccountGauges(models: Models, gauges: WorkerMetrics['gauges'], now = Date.now()): Promise<void> {
  const counts = await readAccountCounts(models);
  for (const [state, count] of Object.entries(counts.byState)) gauges.accounts.set({ state }, count);
  gauges.pausedPosts.set(counts.pausedPosts);
  gauges.oldestPausedPost.set(counts.oldestPausedDueAt ? Math.max(0, (now - counts.oldestPausedDueAt.getTime()) / 1000) : 0);
  gauges.countsRefreshed.set(now / 1000);
}

/** Refreshes now and every `intervalMs`; answers a function that stops it. */
export function startAccountGauges(models: Models, gauges: WorkerMetrics['gauges'], logger: Logger, intervalMs = ACCOUNT_COUNTS_INTERVAL_MS): () => void {
  const refresh = () => refreshAccountGauges(models, gauges).catch((error: unknown) => logger.warn({ err: error }, 'account counts for metrics could not be read'));
  void refresh();
  const timer = setInterval(() => void refresh(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
