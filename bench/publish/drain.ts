import { setTimeout as sleep } from 'node:timers/promises';
import { idempotencyKeyOf } from '../../activities/publishing/publish.js';
import { targetIdOf } from '../../db/models/post-target.js';
import type { TargetState } from '../../db/models/post-target.js';
import type { Counters } from '../../sandbox/client.js';
import { cpuBetween, cpuSnapshot, type CpuSplit } from '../shared/cpu.js';
import { commandCount, commandMs, commandsBetween, commandsPer, type CommandTotals } from '../shared/db-commands.js';
import { PLATFORM } from '../shared/owner.js';
import { callsBetween, sum429, type SandboxTally as CallTally } from '../shared/sandbox-process.js';
import { summarize, type LatencySummary } from '../shared/stats.js';
import type { PublishContext } from './context.js';
import type { ScheduledRound } from './schedule.js';
import type { ConnectedAccount } from './setup.js';

// Waits until every target of a round has settled, then reads what happened: each target's state
// and publishedAt (written by the publish activity when the platform answered), the sandbox's
// publish counters for the round, and the posts the sandbox holds per account (each exactly once,
// in queue order).

const SETTLED: TargetState[] = ['published', 'failed', 'canceled'];
const SANDBOX_POLL_MS = 250;
const DATABASE_POLL_MS = 5000;

export interface SandboxTally {
  counters: Counters;
  tooManyRequests: number;
  calls: CallTally;
  workerCommands: CommandTotals;
}

/** Counters before a round: the sandbox's, its calls, and the worker's database commands. */
export async function sandboxTally(context: PublishContext): Promise<SandboxTally> {
  const calls = await context.sandbox.tally();
  return {
    counters: await context.sandbox.control.counters({ platform: PLATFORM }),
    tooManyRequests: sum429(calls),
    calls,
    workerCommands: await context.commands.worker.snapshot(),
  };
}

/** One target after the round, as MongoDB holds it. */
export interface SettledTarget {
  accountId: string;
  lane: number;
  position: number;
  state: TargetState;
  /** Epoch ms. */
  publishedAt?: number;
  attempts: number;
  reason?: string;
}

export interface RoundMeasurement {
  label: string;
  posts: number;
  accounts: number;
  dueAt: string;
  scheduling: Pick<ScheduledRound, 'schedulingSec' | 'marginSec' | 'notQueued' | 'wrongPosition' | 'firstRefusal' | 'commandsPerPost' | 'commandsByCommand'>;
  /** Per published post: the worker's database commands and their time, and the platform calls and the sandbox's time to answer. */
  perPost: { databaseCommands: number; databaseMs: number; byCommand: CommandTotals; platformCalls: number; platformMs: number; platformByEndpoint: Record<string, number> };
  published: number;
  failed: number;
  canceled: number;
  /** Still waiting when the timeout came. */
  unsettled: number;
  failureReasons: string[];
  /** publishedAt − due instant, per published post. */
  latenessMs: LatencySummary;
  /** Due instant → first publishedAt (ms): the queue's reaction time. */
  firstPublishedMs: number;
  /** Due instant → last publishedAt (s): how long the burst took to drain. */
  drainSec: number;
  postsPerSec: number;
  /** When the polling saw every target settled (s after the due instant). */
  settledSeenSec: number;
  /** Within an account: publishedAt of a post → publishedAt of the next one (the queue's cycle per post). */
  cycleMs: LatencySummary;
  /** Per account: due instant → its last publishedAt (s). */
  perAccountDrainSec: number[];
  /** Publish calls the activity made (target.attempts summed; a 429 counts too). */
  activityAttempts: number;
  sandbox: { publishAttempts: number; publishReplays: number; publishDuplicates: number; tooManyRequests: number };
  /** CPU per process from the due instant until every target was seen settled. */
  cpu: CpuSplit;
  /** The round's posts as the sandbox holds them. */
  onPlatform: { posts: number; missing: number; extra: number; accountsOutOfOrder: number; withoutMedia: number };
}

/**
 * Polls the sandbox's publish counter (in-process, free) often and MongoDB rarely: on FerretDB a
 * query over the round's targets scans the collection, and frequent polls would slow the very queue
 * being measured. Once the sandbox has seen every post, MongoDB is asked until the records land.
 */
async function waitUntilSettled(context: PublishContext, round: ScheduledRound, before: SandboxTally, deadline: number): Promise<number> {
  const ids = round.targets.map((t) => targetIdOf(t.postId, t.accountId));
  let lastReport = Date.now();
  let lastDatabaseCheck = 0;
  for (;;) {
    const now = Date.now();
    const { publishAttempts, publishReplays } = await context.sandbox.control.counters({ platform: PLATFORM });
    const sandboxSawAll = publishAttempts - publishReplays - (before.counters.publishAttempts - before.counters.publishReplays) >= ids.length;
    if (sandboxSawAll || now - lastDatabaseCheck >= DATABASE_POLL_MS) {
      lastDatabaseCheck = now;
      const settled = await context.models.PostTarget.countDocuments({ _id: { $in: ids }, state: { $in: SETTLED } });
      if (settled === ids.length) return Date.now();
      if (now - lastReport >= 10_000) {
        lastReport = now;
        const fromDue = (now - round.dueAt) / 1000;
        context.progress(`  ${round.label}: ${settled}/${ids.length} settled, ${fromDue < 0 ? `due in ${(-fromDue).toFixed(0)} s` : `${fromDue.toFixed(0)} s after the due instant`}`);
      }
    }
    if (Date.now() >= deadline) return Date.now();
    await sleep(SANDBOX_POLL_MS);
  }
}

async function readTargets(context: PublishContext, round: ScheduledRound): Promise<SettledTarget[]> {
  const docs = await context.models.PostTarget.find({ _id: { $in: round.targets.map((t) => targetIdOf(t.postId, t.accountId)) } }).lean();
  const byId = new Map(docs.map((doc) => [doc._id, doc]));
  return round.targets.map((target) => {
    const doc = byId.get(targetIdOf(target.postId, target.accountId));
    return {
      accountId: target.accountId,
      lane: target.lane,
      position: target.position,
      state: doc?.state ?? 'scheduled',
      ...(doc?.publishedAt ? { publishedAt: doc.publishedAt.getTime() } : {}),
      attempts: doc?.attempts ?? 0,
      ...(doc?.reason ? { reason: doc.reason.message } : {}),
    };
  });
}

/** Each account's round posts on the platform: every idempotency key once, in queue order, each with the round's images. */
async function checkPlatform(context: PublishContext, round: ScheduledRound, accounts: ConnectedAccount[]): Promise<RoundMeasurement['onPlatform']> {
  const result = { posts: 0, missing: 0, extra: 0, accountsOutOfOrder: 0, withoutMedia: 0 };
  for (const [lane, account] of accounts.entries()) {
    const expected = round.targets
      .filter((t) => t.lane === lane)
      .sort((a, b) => a.position - b.position)
      .map((t) => idempotencyKeyOf({ postId: t.postId, accountId: t.accountId }));
    const expectedKeys = new Set(expected);
    const marker = `Publishing benchmark ${context.runId}, ${round.label} round,`;
    const onPlatform = (await context.sandbox.control.posts({ platform: PLATFORM, externalId: account.externalId })).filter((post) => post.text.startsWith(marker));
    const keys = onPlatform.map((post) => post.idempotencyKey ?? '');
    const found = new Set(keys.filter((key) => expectedKeys.has(key)));
    result.posts += onPlatform.length;
    result.withoutMedia += onPlatform.filter((post) => post.imageUrls.length !== round.images).length;
    result.missing += expected.length - found.size;
    result.extra += onPlatform.length - found.size;
    const inOrder = expected.filter((key) => found.has(key));
    if (keys.filter((key) => expectedKeys.has(key)).join('\n') !== inOrder.join('\n')) result.accountsOutOfOrder += 1;
  }
  return result;
}

export interface RoundResult {
  measurement: RoundMeasurement;
  targets: SettledTarget[];
}

export async function measureRound(
  context: PublishContext,
  round: ScheduledRound,
  accounts: ConnectedAccount[],
  before: SandboxTally,
  extraWaitSec = 0,
): Promise<RoundResult> {
  const deadline = round.dueAt + (context.options.timeoutSec + extraWaitSec) * 1000;
  const cpuAtDue = sleep(Math.max(0, round.dueAt - Date.now())).then(() => cpuSnapshot(context.processes));
  const settledAt = await waitUntilSettled(context, round, before, deadline);
  const cpu = cpuBetween(await cpuAtDue, cpuSnapshot(context.processes));
  const after = await sandboxTally(context);
  const targets = await readTargets(context, round);
  const worker = commandsBetween(before.workerCommands, after.workerCommands);
  const callsByEndpoint = callsBetween(before.calls, after.calls);
  const calls = Object.values(callsByEndpoint);
  const count = (state: TargetState) => targets.filter((t) => t.state === state).length;
  const lateness = targets.flatMap((t) => (t.publishedAt === undefined ? [] : [t.publishedAt - round.dueAt]));
  const drainMs = lateness.length ? Math.max(...lateness) : Number.NaN;
  const perAccountDrainSec = accounts.map((_, lane) => {
    const own = targets.filter((t) => t.lane === lane && t.publishedAt !== undefined).map((t) => (t.publishedAt as number) - round.dueAt);
    return own.length ? Math.max(...own) / 1000 : Number.NaN;
  });
  const cycles = accounts.flatMap((_, lane) => {
    const times = targets
      .filter((t) => t.lane === lane && t.publishedAt !== undefined)
      .sort((a, b) => a.position - b.position)
      .map((t) => t.publishedAt as number);
    return times.slice(1).map((at, i) => at - (times[i] as number));
  });
  const measurement: RoundMeasurement = {
    label: round.label,
    posts: round.targets.length,
    accounts: accounts.length,
    dueAt: new Date(round.dueAt).toISOString(),
    scheduling: {
      schedulingSec: round.schedulingSec,
      marginSec: round.marginSec,
      notQueued: round.notQueued,
      wrongPosition: round.wrongPosition,
      ...(round.firstRefusal ? { firstRefusal: round.firstRefusal } : {}),
      commandsPerPost: round.commandsPerPost,
      commandsByCommand: round.commandsByCommand,
    },
    perPost: (() => {
      const posts = Math.max(1, targets.filter((t) => t.state === 'published').length);
      return {
        databaseCommands: commandCount(worker) / posts,
        databaseMs: commandMs(worker) / posts,
        byCommand: commandsPer(worker, posts),
        platformCalls: calls.reduce((sum, c) => sum + c.count, 0) / posts,
        platformMs: calls.reduce((sum, c) => sum + c.ms, 0) / posts,
        platformByEndpoint: Object.fromEntries(Object.entries(callsByEndpoint).map(([key, c]) => [key, c.count / posts])),
      };
    })(),
    published: count('published'),
    failed: count('failed'),
    canceled: count('canceled'),
    unsettled: count('scheduled') + count('publishing'),
    failureReasons: [...new Set(targets.flatMap((t) => (t.state === 'failed' && t.reason ? [t.reason] : [])))].slice(0, 5),
    latenessMs: summarize(lateness),
    firstPublishedMs: lateness.length ? Math.min(...lateness) : Number.NaN,
    drainSec: drainMs / 1000,
    postsPerSec: lateness.length / (drainMs / 1000),
    settledSeenSec: (settledAt - round.dueAt) / 1000,
    cycleMs: summarize(cycles),
    perAccountDrainSec,
    activityAttempts: targets.reduce((sum, t) => sum + t.attempts, 0),
    sandbox: {
      publishAttempts: after.counters.publishAttempts - before.counters.publishAttempts,
      publishReplays: after.counters.publishReplays - before.counters.publishReplays,
      publishDuplicates: after.counters.publishDuplicates - before.counters.publishDuplicates,
      tooManyRequests: after.tooManyRequests - before.tooManyRequests,
    },
    cpu,
    onPlatform: await checkPlatform(context, round, accounts),
  };
  return { measurement, targets };
}
