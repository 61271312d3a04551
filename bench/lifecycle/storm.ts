import { setTimeout as sleep } from 'node:timers/promises';
import { PLATFORM } from '../shared/owner.js';
import { sum429 } from '../shared/sandbox-process.js';
import { summarize, type LatencySummary } from '../shared/stats.js';
import type { LifecycleContext } from './context.js';
import { analyseStormDispatch, maxInWindow, tokenCalls, type StormDispatch } from './storm-dispatch.js';
import { connectStormAccounts, type StormAccount } from './storm-setup.js';

// Phase 3: N accounts whose health checks fall due together (an X check is a renewal), the burst a
// platform sees as one, against the platform's configured token-endpoint limit (the sandbox's
// `tokenRateLimits`). Setup (unmeasured, storm-setup.ts): N new accounts connected so their first
// checks fall due at one moment. Measured: when each account's projection shows its check done
// (`lastCheckedAt` moved), checks done after their deadline (the account's next check), accounts
// that became `expired` (false expirations) or `expiring` (false warnings), refresh-token reuse,
// the rate the platform granted and the 429s it answered. Polling reads only the accounts not yet
// checked, so a larger storm does not make the benchmark's own load grow with N × duration.

export interface StormResult {
  accounts: number;
  /** Connects of the setup wave that failed (user actions that failed), and the first error. */
  setupFailures: number;
  setupFirstError?: string;
  tokenLimit: { limit: number; windowSec: number };
  setupWaveSec: number;
  /** From the end of the setup wave to the first due check; first to last due check. */
  firstDueAfterSetupSec: number;
  dueSpreadSec: number;
  /** The shortest cadence a storm account got: its deadline is its next check. */
  minCadenceSec: number;
  checked: number;
  completed: boolean;
  /** N / configured limit: the fastest any checker may go without 429s. */
  minimumPossibleSec: number;
  /** Token requests the platform granted, first to last, and their rate (requests − 1 over the span). */
  grantedSpanSec: number;
  achievedPerSec: number;
  /**
   * The rate between the 10th and the 90th percentile grant: the storm without its start and its
   * tail (where the renewal queue's partitions run dry one after another, bench/README.md).
   */
  middlePerSec: number;
  /** Check done (seen in the projection, ~1 s polls) minus its due time. */
  lateSec: LatencySummary;
  /** Checks done after their deadline (the next check of the same account). */
  missedDeadlines: number;
  falseExpirations: number;
  falseWarnings: number;
  refreshTokenReuse: number;
  tooManyRequests: number;
  tokenEndpointRefreshes: number;
  /** Token requests reaching the platform in the busiest sliding second. */
  maxArrivalsInAnySecond: number;
  pollIntervalMs: number;
  /** Every ~5 s from the first due check: token requests granted vs checks the projections show. */
  timeline: { atSec: number; sandboxRefreshes: number; checkedInProjection: number; tooManyRequests: number }[];
  /** When Temporal started the renewals against when they reached the platform (histories, sandbox log). */
  dispatch?: StormDispatch;
  warnings: string[];
}

const POLL_MS = 1000;
const SECOND = 1000;

/** The storm's checks fall due this long after its setup wave ends, at least (so none is due before every account is connected). */
const MIN_GAP_SEC = 30;

/**
 * @param estimatedWaveSec how long connecting the storm's accounts is expected to take (from phase 1)
 */
export async function runStorm(context: LifecycleContext, count: number, estimatedWaveSec: number): Promise<StormResult> {
  const { options, sandbox, models, progress } = context;
  const { control } = sandbox;
  const warnings: string[] = [];
  const rate = options.tokenLimit.limit / options.tokenLimit.windowSec;
  const minimumPossibleSec = count / rate;
  // No account's second check may fall inside the storm: every cadence outlasts the drain with room.
  const minCadenceMs = Math.ceil(1.2 * minimumPossibleSec + MIN_GAP_SEC) * SECOND;
  const dueAt = Date.now() + Math.max(options.stormDueSec, Math.ceil(estimatedWaveSec + MIN_GAP_SEC)) * SECOND + minCadenceMs;
  progress(`storm setup: connecting ${count} accounts whose first health checks fall due together ${((dueAt - Date.now()) / SECOND).toFixed(0)} s from now`);
  const setup = await connectStormAccounts(context, count, dueAt, minCadenceMs);
  const accounts = setup.accounts;
  const n = accounts.length;
  if (setup.failures > 0) progress(`storm setup: ${setup.failures} connects failed (${setup.firstError ?? ''}); the storm goes on with ${n}`);
  await control.configure({ tokenRateLimits: { [PLATFORM]: options.tokenLimit } });

  const dues = accounts.map((a) => a.dueAt);
  const firstDue = Math.min(...dues);
  const lastDue = Math.max(...dues);
  if (firstDue < setup.waveEnded) warnings.push(`the setup wave ran ${((setup.waveEnded - firstDue) / SECOND).toFixed(0)} s past the first due check`);
  const countersBefore = await control.counters({ platform: PLATFORM });
  const tooManyBefore = sum429(await sandbox.tally());
  await sandbox.startRecording();
  const timeoutSec = options.stormTimeoutSec ?? Math.ceil((lastDue - Date.now()) / SECOND + 2 * minimumPossibleSec + 120);
  const deadline = Date.now() + timeoutSec * SECOND;
  progress(`storm: ${n} checks due between +${((firstDue - setup.waveEnded) / SECOND).toFixed(0)} s and +${((lastDue - setup.waveEnded) / SECOND).toFixed(0)} s; limit ${options.tokenLimit.limit}/${options.tokenLimit.windowSec} s; waiting up to ${timeoutSec} s`);

  const byId = new Map(accounts.map((a) => [a.accountId, a]));
  const doneAt = new Map<string, number>();
  const expired = new Set<string>();
  const expiring = new Set<string>();
  const timeline: StormResult['timeline'] = [];
  let lastReport = 0;
  let lastSample = 0;
  while (Date.now() < deadline) {
    const now = Date.now();
    if (now >= firstDue - 5 * SECOND && now - lastSample >= 5 * SECOND) {
      lastSample = now;
      const { refreshes } = await control.counters({ platform: PLATFORM });
      timeline.push({ atSec: Math.round((now - firstDue) / SECOND), sandboxRefreshes: refreshes - countersBefore.refreshes, checkedInProjection: doneAt.size, tooManyRequests: sum429(await sandbox.tally()) - tooManyBefore });
    }
    const pending = accounts.filter((a) => !doneAt.has(a.accountId) && !expired.has(a.accountId)).map((a) => a.accountId);
    // Done once every account is checked or has (falsely) expired and will not check by itself.
    if (pending.length === 0) break;
    if (now >= firstDue - 2 * SECOND) {
      for (const doc of await models.Account.find({ _id: { $in: pending } }, { status: 1 }).lean()) {
        const state = doc.status?.state;
        if (state === 'expired') expired.add(doc._id);
        if (state === 'expiring') expiring.add(doc._id);
        const checked = doc.status?.lastCheckedAt?.getTime();
        if (checked !== undefined && checked > byId.get(doc._id)!.checkedAt) doneAt.set(doc._id, now);
      }
    }
    if (now - lastReport >= 15 * SECOND) {
      lastReport = now;
      progress(`storm: ${doneAt.size}/${n} checked, ${expired.size} expired, ${sum429(await sandbox.tally()) - tooManyBefore} 429s`);
    }
    await sleep(POLL_MS);
  }

  const countersAfter = await control.counters({ platform: PLATFORM });
  const calls = await sandbox.stopRecording();
  await control.configure({ tokenRateLimits: { [PLATFORM]: null } });
  // A last look at every storm account: a checked account may still have shown a warning.
  for (const doc of await models.Account.find({ _id: { $in: accounts.map((a) => a.accountId) } }, { status: 1 }).lean()) {
    if (doc.status?.state === 'expired') expired.add(doc._id);
    if (doc.status?.state === 'expiring') expiring.add(doc._id);
  }
  progress("storm: reading the storm accounts' histories (when Temporal started each renewal)");
  const dispatch = await analyseStormDispatch(context, accounts.map((a) => a.accountId), firstDue - 5 * SECOND, calls).catch((error: unknown) => {
    warnings.push(`the dispatch analysis failed: ${String(error)}`);
    return undefined;
  });
  const granted = tokenCalls(calls, firstDue - 5 * SECOND).filter((c) => c.status === 200).map((c) => c.at);
  const grantedSpanSec = granted.length > 1 ? (Math.max(...granted) - Math.min(...granted)) / SECOND : Number.NaN;
  const sortedGrants = [...granted].sort((a, b) => a - b);
  const [tenth, ninetieth] = [Math.floor(0.1 * (sortedGrants.length - 1)), Math.ceil(0.9 * (sortedGrants.length - 1))];
  const middlePerSec = ninetieth > tenth ? ((ninetieth - tenth) * SECOND) / (sortedGrants[ninetieth]! - sortedGrants[tenth]!) : Number.NaN;
  const late = (a: StormAccount) => (doneAt.get(a.accountId)! - a.dueAt) / SECOND;
  const checkedAccounts = accounts.filter((a) => doneAt.has(a.accountId));

  return {
    accounts: n,
    setupFailures: setup.failures,
    ...(setup.firstError ? { setupFirstError: setup.firstError } : {}),
    tokenLimit: options.tokenLimit,
    setupWaveSec: (setup.waveEnded - setup.waveStarted) / SECOND,
    firstDueAfterSetupSec: (firstDue - setup.waveEnded) / SECOND,
    dueSpreadSec: (lastDue - firstDue) / SECOND,
    minCadenceSec: Math.min(...accounts.map((a) => a.cadenceMs)) / SECOND,
    checked: doneAt.size,
    completed: doneAt.size === n,
    minimumPossibleSec,
    grantedSpanSec,
    achievedPerSec: (granted.length - 1) / grantedSpanSec,
    middlePerSec,
    lateSec: summarize(checkedAccounts.map(late)),
    missedDeadlines: accounts.filter((a) => !doneAt.has(a.accountId) || doneAt.get(a.accountId)! > a.dueAt + a.cadenceMs).length,
    falseExpirations: expired.size,
    falseWarnings: expiring.size,
    refreshTokenReuse: countersAfter.refreshTokenReuse - countersBefore.refreshTokenReuse,
    tooManyRequests: sum429(await sandbox.tally()) - tooManyBefore,
    tokenEndpointRefreshes: countersAfter.refreshes - countersBefore.refreshes,
    maxArrivalsInAnySecond: maxInWindow(tokenCalls(calls, 0).map((c) => c.at), 1000),
    pollIntervalMs: POLL_MS,
    timeline,
    ...(dispatch ? { dispatch } : {}),
    warnings,
  };
}
