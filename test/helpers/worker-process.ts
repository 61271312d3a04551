import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config/index.js';
import { accountWorkflowId } from '../../workflows/account/messages.js';
import { reconcileScheduleId } from '../../worker/reconcile-schedule.js';
import { taskQueuePollers } from '../../tools/servers.js';
import { repoRoot } from '../../tools/paths.js';
import { startProcess, type ManagedProcess } from '../../tools/process.js';
import { waitFor } from './lifecycle.js';

// The production worker (worker/main.ts) as a separate OS process in its own process group,
// configured only through environment variables, so tests can SIGKILL it like a crashed machine.

export interface WorkerProcess {
  readonly pid: number;
  /** The identity the worker polls with (worker/main.ts: `worker@<host>:<pid>`). */
  readonly identity: string;
  readonly exited: Promise<number | null>;
  /** Its last output lines, for failure messages. */
  output(): string[];
  /** SIGKILL to the whole process group, at once and synchronously: no shutdown, no cleanup. */
  killNow(): void;
  /** SIGKILL and wait until it is gone. */
  kill(): Promise<void>;
}

const KEPT_LINES = 200;

/**
 * Starts `node --import tsx worker/main.ts` from the repository root with `env` as its whole
 * configuration (plus PATH, HOME and TMPDIR so Node and tsx run).
 */
export function spawnWorkerProcess(env: Record<string, string>): WorkerProcess {
  const lines: string[] = [];
  const inherited = Object.fromEntries(
    (['PATH', 'HOME', 'TMPDIR'] as const).flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])),
  ) as Record<string, string>;
  const proc: ManagedProcess = startProcess({
    name: 'worker',
    command: process.execPath,
    args: ['--import', 'tsx', path.join(repoRoot, 'worker', 'main.ts')],
    cwd: repoRoot,
    env: { ...inherited, ...env },
    onLine: (line) => {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
    },
  });
  const pid = proc.child.pid;
  if (pid === undefined) throw new Error('the worker process did not start');
  const killNow = () => {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  return {
    pid,
    identity: `worker@${hostname()}:${pid}`,
    exited: proc.exited,
    output: () => [...lines],
    killNow,
    async kill() {
      killNow();
      await proc.exited;
    },
  };
}

/** True once this very process (not an earlier, killed one) polls the task queue for workflow tasks. */
export async function pollsTaskQueue(address: string, namespace: string, taskQueue: string, identity: string): Promise<boolean> {
  return (await taskQueuePollers(address, namespace, taskQueue)).includes(identity);
}

/** Waits until the worker polls; fails early, with its output, if it exits first. */
export async function waitUntilPolling(
  worker: WorkerProcess,
  temporal: { address: string; namespace: string; taskQueue: string },
  timeoutMs = 150_000,
): Promise<void> {
  let exitCode: number | null | undefined;
  void worker.exited.then((code) => (exitCode = code));
  const recentOutput = () => worker.output().slice(-30).join('\n');
  try {
    await waitFor(
      `worker ${worker.identity} to poll ${temporal.taskQueue}`,
      async () => exitCode !== undefined || pollsTaskQueue(temporal.address, temporal.namespace, temporal.taskQueue, worker.identity),
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${recentOutput()}`, { cause: error });
  }
  if (exitCode !== undefined) throw new Error(`worker exited with code ${exitCode} before polling:\n${recentOutput()}`);
}

/** The production worker's whole environment for a test: its servers, the sandbox, and the key the test's own stores use. */
export function testWorkerEnvironment(config: Config, input: { sandboxUrl: string; encryptionKey: string }): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-worker-')),
    TEMPORAL_ADDRESS: config.temporal.address,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    MONGODB_URI: config.mongo.uri,
    PLATFORM_MODE: 'sandbox',
    SANDBOX_URL: input.sandboxUrl,
    TOKEN_ENCRYPTION_KEY: input.encryptionKey,
    // Several workers run at once in these tests: no fixed metrics ports.
    WORKER_METRICS_PORT: '0',
    TEMPORAL_METRICS_PORT: '0',
  };
}

/**
 * What a production worker process leaves behind on the shared dev server: the account workflows a
 * test started, and the self-healing schedule the worker created for its task queue.
 */
export async function removeWorkerLeftovers(client: Client, taskQueue: string, accountIds: readonly string[]): Promise<void> {
  for (const accountId of accountIds) {
    await client.workflow.getHandle(accountWorkflowId(accountId)).terminate('test finished').catch(() => undefined);
  }
  await client.schedule.getHandle(reconcileScheduleId(taskQueue)).delete().catch(() => undefined);
}
