import { PLATFORM } from '../shared/owner.js';
import { summarize, type LatencySummary } from '../shared/stats.js';
import type { PublishContext } from './context.js';
import type { SettledTarget } from './drain.js';
import type { ConnectedAccount } from './setup.js';

// The second round's fault: the sandbox rate-limits the first K accounts from before the due
// instant until a reset `--limit-sec` after it (a whole second, so X's `x-rate-limit-reset` header,
// in epoch seconds, names exactly this instant). Their first publish gets a 429; the queue must
// hold until the reset and then publish everything, failing nothing; the other accounts must not wait.

export interface RateLimitPlan {
  lanes: number[];
  /** Epoch ms, a whole second. */
  resetAt: number;
}

export async function limitAccounts(context: PublishContext, accounts: ConnectedAccount[], dueAt: number): Promise<RateLimitPlan> {
  const { options, sandbox } = context;
  const resetAt = Math.ceil((dueAt + options.limitSec * 1000) / 1000) * 1000;
  const lanes = accounts.slice(0, options.limitedAccounts).map((_, lane) => lane);
  for (const lane of lanes) await sandbox.control.fault(PLATFORM, accounts[lane]!.externalId, { fault: 'rateLimit', until: resetAt });
  return { lanes, resetAt };
}

export interface RateLimitMeasurement {
  limitedAccounts: number;
  resetAt: string;
  /** Reset instant − due instant (s). */
  resetAfterDueSec: number;
  limitedPosts: number;
  limitedPublished: number;
  limitedFailed: number;
  /** Posts of limited accounts published before the reset (must be 0: the platform refused until then). */
  publishedBeforeReset: number;
  /** Reset → first / last post of the limited accounts published (s). */
  firstAfterResetSec: number;
  lastAfterResetSec: number;
  /** Publish calls the activity made for the limited accounts' posts (one 429 per account is expected on top of one per post). */
  limitedActivityAttempts: number;
  /** Accounts without the limit: due instant → last published (s), and lateness per post. */
  otherAccountsDrainSec: number;
  otherLatenessMs: LatencySummary;
}

export function measureRateLimit(plan: RateLimitPlan, targets: SettledTarget[], dueAt: number): RateLimitMeasurement {
  const limited = new Set(plan.lanes);
  const mine = targets.filter((t) => limited.has(t.lane));
  const others = targets.filter((t) => !limited.has(t.lane));
  const afterReset = mine.flatMap((t) => (t.publishedAt === undefined ? [] : [(t.publishedAt - plan.resetAt) / 1000]));
  const otherLateness = others.flatMap((t) => (t.publishedAt === undefined ? [] : [t.publishedAt - dueAt]));
  return {
    limitedAccounts: plan.lanes.length,
    resetAt: new Date(plan.resetAt).toISOString(),
    resetAfterDueSec: (plan.resetAt - dueAt) / 1000,
    limitedPosts: mine.length,
    limitedPublished: mine.filter((t) => t.state === 'published').length,
    limitedFailed: mine.filter((t) => t.state === 'failed').length,
    publishedBeforeReset: afterReset.filter((sec) => sec < 0).length,
    firstAfterResetSec: afterReset.length ? Math.min(...afterReset) : Number.NaN,
    lastAfterResetSec: afterReset.length ? Math.max(...afterReset) : Number.NaN,
    limitedActivityAttempts: mine.reduce((sum, t) => sum + t.attempts, 0),
    otherAccountsDrainSec: otherLateness.length ? Math.max(...otherLateness) / 1000 : Number.NaN,
    otherLatenessMs: summarize(otherLateness),
  };
}
