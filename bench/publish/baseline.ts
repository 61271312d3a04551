import { summarize, type LatencySummary } from '../shared/stats.js';
import type { PublishContext } from './context.js';
import { postsOfLane } from './schedule.js';
import type { DirectAccount } from './setup.js';

// The baseline: the same number of posts sent straight through the X adapter to the sandbox, with
// the same shape of concurrency as the queue (one lane per account, its posts one after another;
// all lanes start together), from the benchmark's process. No MongoDB, no Temporal: what is left is
// the platform call itself, so Tether's figures over these are the queue's overhead.

export interface BaselineMeasurement {
  posts: number;
  accounts: number;
  /** Untimed calls per lane first, so neither side pays for a cold sandbox route. */
  warmupPerLane: number;
  failures: number;
  firstError?: string;
  /** Start instant → each call's answer (the baseline's "lateness"). */
  latenessMs: LatencySummary;
  /** Start → last answer (s). */
  drainSec: number;
  postsPerSec: number;
  /** Per call: request → answer. */
  callMs: LatencySummary;
  perAccountDrainSec: number[];
}

/** Untimed calls per account before timing starts; Tether's worker publishes as many untimed posts per account before its burst. */
export const WARMUP_PER_LANE = 1;

/** `round` tells this round's posts apart from an earlier round's (their idempotency keys). */
export async function runBaseline(context: PublishContext, accounts: DirectAccount[], round = 1): Promise<BaselineMeasurement> {
  const { adapter, options, runId } = context;
  let failures = 0;
  let firstError: string | undefined;
  /** One publish; failures are counted once timing has begun. */
  const publish = async (account: DirectAccount, key: string, counted: boolean) => {
    const tagged = round === 1 ? key : `${round}-${key}`;
    const outcome = await adapter.publish(account.ref, account.credentials, { text: `Publishing benchmark ${runId}, direct call ${tagged}`, idempotencyKey: `bench-${runId}-${tagged}` });
    if (outcome.kind === 'ok') return;
    if (!counted) throw new Error(`baseline warm-up publish failed: ${outcome.kind}: ${outcome.message}`);
    failures += 1;
    firstError ??= `${outcome.kind}: ${outcome.message}`;
  };
  await Promise.all(
    accounts.map(async (account, lane) => {
      for (let i = 0; i < WARMUP_PER_LANE; i++) await publish(account, `warmup-${lane}-${i}`, false);
    }),
  );

  const lateness: number[] = [];
  const calls: number[] = [];
  const perAccountDrainSec: number[] = [];
  const started = performance.now();
  await Promise.all(
    accounts.map(async (account, lane) => {
      for (let position = 1; position <= postsOfLane(lane, options.posts, accounts.length); position++) {
        const callStarted = performance.now();
        await publish(account, `${lane}-${position}`, true);
        const now = performance.now();
        calls.push(now - callStarted);
        lateness.push(now - started);
      }
      perAccountDrainSec[lane] = (performance.now() - started) / 1000;
    }),
  );
  const drainSec = (performance.now() - started) / 1000;
  return {
    posts: lateness.length,
    accounts: accounts.length,
    warmupPerLane: WARMUP_PER_LANE,
    failures,
    ...(firstError ? { firstError } : {}),
    latenessMs: summarize(lateness),
    drainSec,
    postsPerSec: lateness.length / drainSec,
    callMs: summarize(calls),
    perAccountDrainSec,
  };
}
