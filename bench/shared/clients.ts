import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../../config/index.js';
import type { EmbeddedDatabaseBackend } from '../../config/schema.js';
import { createCredentialStore } from '../../db/credentials.js';
import { createModels, ensureIndexes } from '../../db/models/index.js';
import { createAdapters } from '../../platforms/registry.js';
import type { BenchContext } from './context.js';
import { RemoteProfiler } from './cpu-profile.js';
import { requestGarbageCollection } from './worker-control.js';
import { CommandTally, monitoredConnection, RemoteCommandTally } from './db-commands.js';
import { createOwner, PLATFORM } from './owner.js';
import type { BenchRun } from './run.js';
import { freePort } from '../../tools/process.js';
import { startCountingSandbox, type BenchSandbox } from './sandbox-process.js';
import { startServers, startWorkerProcess, tetherEnvironment, type Servers, type WorkerProcess } from './stack.js';

// The start lifecycle and publish share: servers and sandbox, the environment Tether's worker
// reads, then this process's own clients (database, Temporal, the X adapter) and the owner.

export interface BenchStack {
  servers: Servers;
  sandbox: BenchSandbox;
  /** Short id of this run: in the database name and the task queues. */
  runId: string;
  accountTaskQueue: string;
  /** The environment Tether's worker process gets; `config` is parsed from it. */
  environment: Record<string, string>;
  config: Config;
}

/** Temporal, the database server and the counting sandbox; account workflows on `<accountQueuePrefix>-<runId>`. */
export async function startBenchStack(
  run: BenchRun,
  options: { temporalCliPath?: string; dbBackend?: EmbeddedDatabaseBackend; accountQueuePrefix: string; extraEnvironment?: Record<string, string> },
): Promise<BenchStack> {
  const { logs, cleanup, progress } = run;
  const [servers, sandbox] = await Promise.all([startServers({ temporalCliPath: options.temporalCliPath, dbBackend: options.dbBackend, logs, cleanup }), startCountingSandbox({ logs, cleanup })]);
  progress(`servers up: Temporal ${servers.temporalAddress}, ${servers.databaseKind} ${servers.mongoUri}, sandbox ${sandbox.url}`);

  const runId = randomUUID().slice(0, 8);
  const accountTaskQueue = `${options.accountQueuePrefix}-${runId}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-bench-data-'));
  // Registered before the worker starts, so it is removed after the worker has stopped.
  cleanup.add('bench data directory', () => rmSync(dataDir, { recursive: true, force: true }));
  const environment = {
    ...tetherEnvironment({
      servers,
      database: `tether_bench_${runId}`,
      taskQueue: accountTaskQueue,
      sandboxUrl: sandbox.url,
      dataDir,
    }),
    ...options.extraEnvironment,
  };
  return { servers, sandbox, runId, accountTaskQueue, environment, config: loadConfig(environment) };
}

export interface TetherWorker extends WorkerProcess {
  /** The worker's database commands, from the driver's command monitoring in its process. */
  commands: RemoteCommandTally;
  /** A CPU profile of the worker over a window (cpu-profile.ts). */
  profiler: RemoteProfiler;
  /** A full garbage collection on every thread of the worker (inspector.ts), before reading its memory. */
  collectGarbage: () => Promise<void>;
  /** The Temporal SDK's Prometheus exporter of the process (TEMPORAL_METRICS_PORT): its workflow cache hits and misses. */
  temporalMetricsPort: number;
}

/**
 * Tether's worker (worker/main.ts, the production entry point, unchanged) in its own process on
 * the account task queue, with command monitoring on (shared/monitored-worker.ts).
 */
export async function startTetherWorker(run: BenchRun, stack: BenchStack, name = 'tether-worker'): Promise<TetherWorker> {
  const counterPort = await freePort();
  const temporalMetricsPort = await freePort();
  const worker = startWorkerProcess({
    name,
    entry: 'bench/shared/monitored-worker.ts',
    args: ['--counter-port', String(counterPort)],
    env: { ...stack.environment, TEMPORAL_METRICS_PORT: String(temporalMetricsPort) },
    temporalAddress: stack.servers.temporalAddress,
    taskQueue: stack.accountTaskQueue,
    logs: run.logs,
    cleanup: run.cleanup,
  });
  return {
    ...worker,
    commands: new RemoteCommandTally(counterPort),
    profiler: new RemoteProfiler(counterPort),
    collectGarbage: () => requestGarbageCollection(counterPort),
    temporalMetricsPort,
  };
}

/** This process's clients, closed by the run's cleanup; `adapterTimeoutMs` unset keeps the adapter's default. */
export async function openBenchClients(run: BenchRun, stack: BenchStack, worker: TetherWorker, options: { adapterTimeoutMs?: number } = {}): Promise<BenchContext> {
  const { config, sandbox } = stack;
  const clientCommands = new CommandTally();
  const database = await monitoredConnection(config.mongo.uri, clientCommands);
  run.cleanup.add('database connection', () => database.close());
  const models = createModels(database);
  await ensureIndexes(models);
  const connection = await Connection.connect({ address: stack.servers.temporalAddress });
  run.cleanup.add('temporal client', () => connection.close());
  const adapter = createAdapters({
    mode: 'sandbox',
    sandboxUrl: sandbox.url,
    clients: config.platforms.clients,
    linkedinPartnerRefresh: false,
    timeoutMs: options.adapterTimeoutMs,
  })[PLATFORM];
  if (!adapter) throw new Error('no X adapter in sandbox mode');
  return {
    config,
    models,
    store: createCredentialStore(models, config.tokenEncryptionKey),
    client: new Client({ connection, namespace: config.temporal.namespace }),
    sandbox,
    adapter,
    owner: await createOwner(models),
    accountTaskQueue: stack.accountTaskQueue,
    commands: { client: clientCommands, worker: worker.commands },
    progress: run.progress,
  };
}

/** The machine and servers a run measured on, as the lifecycle and publish reports print them. */
export const stackEnvironment = (stack: BenchStack) => ({
  cpus: availableParallelism(),
  node: process.version,
  database: stack.servers.databaseKind,
  temporal: 'temporal server start-dev (in memory)',
});
