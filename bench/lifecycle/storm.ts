import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_LIFETIMES } from '../../sandbox/core/settings.js';
import { completeConnection } from '../../services/accounts/complete-connection.js';
import { consent } from '../shared/consent.js';
import { PLATFORM } from '../shared/owner.js';
import { runPool } from '../shared/pool.js';
import { sum429 } from '../shared/stack.js';
import type { LifecycleContext } from './context.js';
import type { ConnectedAccount } from './start-throughput.js';
import { analyseStormDispatch, type StormDispatch } from './storm-dispatch.js';

// Phase 4: every account's token expires at the same moment while the sandbox limits X's token
// endpoint. Setup (unmeasured): each account reconnects with a fresh token whose lifetime ends at a
// common moment (`--storm-access-sec` after the wave starts, later if the wave needs longer); then
// the sandbox goes back to normal lifetimes (so each account renews once) and the limit goes on. Measured: when each account's projection shows a renewed token, accounts
// whose projection became `expired` (false expirations) or `expiring` (false warnings), refresh
// token reuse, and the 429s the sandbox answered. Polling reads only the accounts not yet renewed,
// so a larger storm does not make the benchmark's own load grow with N × duration.

export interface StormResult {
  accounts: number;
  /** Reconnects of the setup wave that failed (user actions that failed), and the first error. */
  setupFailures: number;
  setupFirstError?: string;
  tokenLimit: { limit: number; windowSec: number };
  /** Lifetime of the first token of the wave; all expire this long after the wave started. */
  accessTokenSec: number;
  /** How long the unmeasured reconnect wave took, and over how long the short tokens expire. */
  setupWaveSec: number;
  expirySpreadSec: number;
  renewed: number;
  completed: boolean;
  /** First observed renewal to last (s); the time the storm took. */
  renewalWaveSec: number;
  /** From the end of the setup wave until every account was renewed (s). */
  allRenewedAfterSetupSec: number;
  /** N / configured limit: the fastest any renewer may go without 429s. */
  minimumPossibleSec: number;
  achievedRenewalsPerSec: number;
  /** Accounts renewed only after their access token had expired (posting would have failed meanwhile). */
  renewedAfterAccessExpiry: number;
  maxLatenessSec: number;
  falseExpirations: number;
  falseWarnings: number;
  refreshTokenReuse: number;
  tooManyRequests: number;
  tokenEndpointRefreshes: number;
  pollIntervalMs: number;
  /** Every ~5 s from the end of the setup wave: renewals the sandbox granted vs those the projections show. */
  timeline: { atSec: number; sandboxRefreshes: number; renewedInProjection: number; tooManyRequests: number }[];
  /** When Temporal started the renewals against when they reached the platform (histories, sandbox log). */
  dispatch?: StormDispatch;
  warnings: string[];
}

const POLL_MS = 1000;
/** How often the sandbox's X access-token lifetime is lowered during the setup wave. */
const TICK_MS = 250;
/** The last token issued in the wave should still live about this long. */
const MIN_LIFETIME_AT_WAVE_END_SEC = 60;
const MIN_TOKEN_SEC = 15;

/**
 * @param estimatedWaveSec how long reconnecting every account is expected to take (from phase 1),
 *   so the common expiry leaves the last-connected tokens a useful lifetime.
 */
export async function runStorm(context: LifecycleContext, accounts: ConnectedAccount[], estimatedWaveSec: number): Promise<StormResult> {
  const { options, sandbox, models, store, client, accountTaskQueue, owner, adapter, config, progress } = context;
  const { control } = sandbox;
  const warnings: string[] = [];

  // Each token is issued with the lifetime left until one common moment, so all N expire within
  // about a second of each other however long the (unmeasured) wave takes.
  const lifetimeSec = Math.max(options.stormAccessSec, Math.ceil(estimatedWaveSec + MIN_LIFETIME_AT_WAVE_END_SEC));
  progress(`storm setup: reconnecting ${accounts.length} accounts with tokens that all expire ${lifetimeSec} s from now`);
  const waveStarted = Date.now();
  const lifetimeLeft = () => Math.max(MIN_TOKEN_SEC, Math.round(lifetimeSec - (Date.now() - waveStarted) / 1000));
  await control.configure({ platformLifetimes: { [PLATFORM]: { accessTokenSec: lifetimeLeft() } } });
  let ticking = true;
  const ticker = (async () => {
    while (ticking) {
      await sleep(TICK_MS);
      await control.configure({ platformLifetimes: { [PLATFORM]: { accessTokenSec: lifetimeLeft() } } });
    }
  })();
  let wave;
  try {
    wave = await runPool(accounts, options.concurrency, async ({ identityId }) => {
      const { identity, tokens } = await consent(adapter, config, identityId);
      const completed = await completeConnection(
        { models, store, workflows: { client, taskQueue: accountTaskQueue } },
        { ...owner, platform: PLATFORM, identity, tokens },
      );
      if (!completed.result.accepted) throw new Error(`reconnect rejected: ${JSON.stringify(completed.result.rejection)}`);
      return completed.accountId;
    });
  } finally {
    ticking = false;
    await ticker;
  }
  const waveEnded = Date.now();
  // From here on each account renews once: to a normal-lifetime token, under the limit.
  await control.configure({
    platformLifetimes: { [PLATFORM]: { accessTokenSec: DEFAULT_LIFETIMES[PLATFORM].accessTokenSec } },
    tokenRateLimits: { [PLATFORM]: options.tokenLimit },
  });
  // A failed reconnect is a failed user action (reported); that account keeps its old token and sits the storm out.
  const ids = wave.results.filter((id): id is string => id !== undefined);
  const n = ids.length;
  if (wave.failures > 0) progress(`storm setup: ${wave.failures} reconnects failed (${wave.firstError ?? ''}); the storm goes on with ${n}`);
  const setupWaveSec = (waveEnded - waveStarted) / 1000;
  if (lifetimeSec - setupWaveSec < MIN_LIFETIME_AT_WAVE_END_SEC / 2) {
    warnings.push(`the setup wave (${setupWaveSec.toFixed(0)} s) took longer than planned; the last tokens lived only ${lifetimeLeft()} s, so expiries are spread out`);
  }

  const shortExpiry = new Map<string, number>();
  for (const doc of await models.Account.find({ _id: { $in: ids } }, { status: 1 }).lean()) {
    const at = doc.status?.tokenExpiresAt?.getTime();
    if (at !== undefined) shortExpiry.set(doc._id, at);
  }
  if (shortExpiry.size !== n) throw new Error(`storm setup: only ${shortExpiry.size} of ${n} accounts show a token expiry`);
  const expiries = [...shortExpiry.values()];
  const firstExpiry = Math.min(...expiries);
  const lastExpiry = Math.max(...expiries);

  const countersBefore = await control.counters({ platform: PLATFORM });
  const tooManyBefore = sum429(sandbox.tooManyRequests);
  sandbox.startRecording();
  const minimumPossibleSec = (n / options.tokenLimit.limit) * options.tokenLimit.windowSec;
  const timeoutSec = options.stormTimeoutSec ?? Math.ceil(lifetimeSec + 2 * minimumPossibleSec + 120);
  const deadline = waveEnded + timeoutSec * 1000;
  progress(`storm: ${n} tokens expire between +${((firstExpiry - waveEnded) / 1000).toFixed(0)} s and +${((lastExpiry - waveEnded) / 1000).toFixed(0)} s; limit ${options.tokenLimit.limit}/${options.tokenLimit.windowSec} s; waiting up to ${timeoutSec} s`);

  const renewedAt = new Map<string, number>();
  const expired = new Set<string>();
  const expiring = new Set<string>();
  let lastReport = Date.now();
  let lastSample = 0;
  const timeline: StormResult['timeline'] = [];
  while (Date.now() < deadline) {
    const now = Date.now();
    if (now - lastSample >= 5000) {
      lastSample = now;
      const { refreshes } = await control.counters({ platform: PLATFORM });
      timeline.push({
        atSec: Math.round((now - waveEnded) / 1000),
        sandboxRefreshes: refreshes - countersBefore.refreshes,
        renewedInProjection: renewedAt.size,
        tooManyRequests: sum429(sandbox.tooManyRequests) - tooManyBefore,
      });
    }
    const pending = ids.filter((id) => !renewedAt.has(id) && !expired.has(id));
    // Done once every account is renewed or has (falsely) expired and will not renew by itself.
    if (pending.length === 0) break;
    for (const doc of await models.Account.find({ _id: { $in: pending } }, { status: 1 }).lean()) {
      const state = doc.status?.state;
      if (state === 'expired') expired.add(doc._id);
      if (state === 'expiring') expiring.add(doc._id);
      const at = doc.status?.tokenExpiresAt?.getTime();
      const before = shortExpiry.get(doc._id);
      if (at !== undefined && before !== undefined && at > before + 1000) renewedAt.set(doc._id, now);
    }
    if (now - lastReport >= 15_000) {
      lastReport = now;
      progress(`storm: ${renewedAt.size}/${n} renewed, ${expired.size} expired, ${sum429(sandbox.tooManyRequests) - tooManyBefore} 429s`);
    }
    await sleep(POLL_MS);
  }

  const countersAfter = await control.counters({ platform: PLATFORM });
  const calls = sandbox.stopRecording();
  // A last look at every storm account: a renewed account may still have shown a warning.
  for (const doc of await models.Account.find({ _id: { $in: ids } }, { status: 1 }).lean()) {
    if (doc.status?.state === 'expired') expired.add(doc._id);
    if (doc.status?.state === 'expiring') expiring.add(doc._id);
  }
  progress('storm: reading the storm accounts\' histories (when Temporal started each renewal)');
  const dispatch = await analyseStormDispatch(context, ids, waveEnded, calls).catch((error: unknown) => {
    warnings.push(`the dispatch analysis failed: ${String(error)}`);
    return undefined;
  });
  const renewalTimes = [...renewedAt.values()];
  const firstRenewal = renewalTimes.length ? Math.min(...renewalTimes) : Number.NaN;
  const lastRenewal = renewalTimes.length ? Math.max(...renewalTimes) : Number.NaN;
  const lateness = [...renewedAt].map(([id, at]) => (at - (shortExpiry.get(id) ?? at)) / 1000);
  const renewalWaveSec = (lastRenewal - firstRenewal) / 1000;
  await control.configure({ tokenRateLimits: { [PLATFORM]: null } });

  return {
    accounts: n,
    setupFailures: wave.failures,
    ...(wave.firstError ? { setupFirstError: wave.firstError } : {}),
    tokenLimit: options.tokenLimit,
    accessTokenSec: lifetimeSec,
    setupWaveSec,
    expirySpreadSec: (lastExpiry - firstExpiry) / 1000,
    renewed: renewedAt.size,
    completed: renewedAt.size === n,
    renewalWaveSec,
    allRenewedAfterSetupSec: (lastRenewal - waveEnded) / 1000,
    minimumPossibleSec,
    achievedRenewalsPerSec: renewalWaveSec > 0 ? renewedAt.size / renewalWaveSec : Number.NaN,
    renewedAfterAccessExpiry: lateness.filter((late) => late > 0).length,
    maxLatenessSec: lateness.length ? Math.max(...lateness) : Number.NaN,
    falseExpirations: expired.size,
    falseWarnings: expiring.size,
    refreshTokenReuse: countersAfter.refreshTokenReuse - countersBefore.refreshTokenReuse,
    tooManyRequests: sum429(sandbox.tooManyRequests) - tooManyBefore,
    tokenEndpointRefreshes: countersAfter.refreshes - countersBefore.refreshes,
    pollIntervalMs: POLL_MS,
    timeline,
    ...(dispatch ? { dispatch } : {}),
    warnings,
  };
}
