import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities/index.js';
import { PLATFORM_IDS, type PlatformId } from '../platforms/types.js';
import { renewalTaskQueue } from '../workflows/account/task-queues.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Renewals per second each platform's token endpoint is given, across all workers on a task queue.
 * Conservative shares of the published limits (X: 10k token calls/day/app is not published; these
 * keep far below every documented per-app limit while renewing thousands of tokens per hour).
 */
export const RENEWALS_PER_SECOND: Record<PlatformId, number> = {
  x: 5,
  linkedin: 2,
  facebook: 5,
  instagram: 5,
  threads: 5,
  tiktok: 5,
  youtube: 5,
  pinterest: 5,
  bluesky: 5,
};

/** Each platform's renewal rate: the configured ones over the built-in defaults. */
export function renewalRates(configured: Partial<Record<PlatformId, number>> = {}): Record<PlatformId, number> {
  return { ...RENEWALS_PER_SECOND, ...configured };
}

/**
 * Renewals one renewal worker holds at once: about two seconds of paced requests. The rest wait on
 * the task queue, where waiting counts against no activity timeout (a renewal waiting in the pacer
 * does: with W worker processes sharing the rate, about 2 × W seconds against the renewal's
 * 20-second heartbeat timeout).
 */
export function renewalSlots(ratePerSecond: number): number {
  return Math.max(2, Math.ceil(2 * ratePerSecond));
}

export interface WorkerSettings {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A prebuilt bundle (production, tests); without one the workflows are bundled at start. */
  workflowBundle?: { codePath: string };
  identity?: string;
  /** How long in-flight activities may run on after shutdown starts before they are cancelled. */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  renewalsPerSecond?: Partial<Record<PlatformId, number>>;
  /** Workflows the main worker keeps cached (`config.temporal.maxCachedWorkflows`); unset leaves the SDK's default, sized by heap. */
  maxCachedWorkflows?: number;
}

/**
 * The main worker (workflows and activities) plus one renewal worker per platform. The rate is the
 * activities' `createTokenRequestPacer` (slots shared by every worker process), not the task queue:
 * a server-side limit is a token bucket per task-queue partition, and once some partitions ran dry
 * the others went on at their part of the rate. Each renewal worker holds `renewalSlots` renewals.
 */
export async function createWorkers(settings: WorkerSettings): Promise<Worker[]> {
  const common = {
    connection: settings.connection,
    namespace: settings.namespace,
    ...(settings.identity ? { identity: settings.identity } : {}),
    shutdownGraceTime: settings.shutdownGraceTime ?? '10 seconds',
  };
  const main = Worker.create({
    ...common,
    taskQueue: settings.taskQueue,
    activities: settings.activities,
    ...(settings.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: settings.maxCachedWorkflows }),
    ...(settings.workflowBundle ? { workflowBundle: settings.workflowBundle } : { workflowsPath }),
  });
  const rates = renewalRates(settings.renewalsPerSecond);
  const renewals = PLATFORM_IDS.map((platform) =>
    Worker.create({
      ...common,
      taskQueue: renewalTaskQueue(settings.taskQueue, platform),
      activities: { renewCredentials: settings.activities.renewCredentials },
      maxConcurrentActivityTaskExecutions: renewalSlots(rates[platform]),
    }),
  );
  return Promise.all([main, ...renewals]);
}

/** Runs workers together; resolves when all have shut down. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.run()));
}
