import { randomBytes } from 'node:crypto';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EmbeddedDatabaseBackend } from '../../config/schema.js';
import { databaseServer, databaseServerName, temporalCli } from '../../tools/binaries.js';
import { repoRoot } from '../../tools/paths.js';
import { freePort, startProcess, waitUntilReady, type ManagedProcess } from '../../tools/process.js';
import { startDatabaseServer, startTemporalDevServer, taskQueueHasWorker } from '../../tools/servers.js';
import type { Cleanup } from './cleanup.js';

// The servers a benchmark runs against, all its own, on free ports: a Temporal dev server
// (in memory), the MongoDB-wire server and worker processes (the sandbox: sandbox-process.ts).
// Every process's output goes to a log file; everything is registered for cleanup.

export const NAMESPACE = 'default';

export interface Logs {
  dir: string;
  sink(name: string): { line(text: string): void; stream: WriteStream };
}

export function openLogs(dir: string, cleanup: Cleanup): Logs {
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    sink(name) {
      const stream = createWriteStream(path.join(dir, `${name}.log`), { flags: 'a' });
      cleanup.add(`${name} log`, () => new Promise((resolve) => stream.end(resolve)));
      return { stream, line: (text) => stream.write(`${text}\n`) };
    },
  };
}

export interface Servers {
  temporalAddress: string;
  /** Server URI without a database name. */
  mongoUri: string;
  databaseKind: string;
  /** Process ids of the Temporal dev server and the database server (for CPU figures). */
  pids: { temporal: number; database: number };
}

export async function startServers(options: { temporalCliPath?: string; dbBackend?: EmbeddedDatabaseBackend; logs: Logs; cleanup: Cleanup }): Promise<Servers> {
  const { logs, cleanup } = options;
  const scratch = mkdtempSync(path.join(tmpdir(), 'tether-bench-'));
  cleanup.add('scratch directory', () => rmSync(scratch, { recursive: true, force: true }));
  // On PostgreSQL, run as user postgres when we are root, the cluster's parent must be reachable.
  if (options.dbBackend === 'postgresql') chmodSync(scratch, 0o711);
  const [cli, dbServer] = await Promise.all([temporalCli({ explicitPath: options.temporalCliPath }), databaseServer({ backend: options.dbBackend })]);
  const [temporal, database] = await Promise.all([
    startTemporalDevServer({ cli, port: await freePort(), namespace: NAMESPACE, onLine: logs.sink('temporal').line }).then((t) => {
      cleanup.add('temporal dev server', () => t.process.stop());
      return t;
    }),
    startDatabaseServer({ server: dbServer, port: await freePort(), dataDir: path.join(scratch, 'db'), onLine: logs.sink('db').line }).then((d) => {
      cleanup.add('database server', () => d.process.stop());
      return d;
    }),
  ]);
  return {
    temporalAddress: temporal.address,
    mongoUri: database.uri,
    databaseKind: databaseServerName(dbServer),
    pids: { temporal: temporal.process.child.pid ?? 0, database: database.process.child.pid ?? 0 },
  };
}

/**
 * The environment Tether's processes read (config/), as production would set it: the benchmark's
 * own process parses the same values with loadConfig, so both share one encryption key.
 */
export function tetherEnvironment(options: { servers: Servers; database: string; taskQueue: string; sandboxUrl: string; dataDir: string }): Record<string, string> {
  return {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    TETHER_DATA_DIR: options.dataDir,
    TEMPORAL_ADDRESS: options.servers.temporalAddress,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    MONGODB_URI: `${options.servers.mongoUri}/${options.database}`,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PLATFORM_MODE: 'sandbox',
    SANDBOX_URL: options.sandboxUrl,
    PUBLIC_URL: 'http://127.0.0.1:3999',
    // A benchmark may run beside `npm start`: no fixed metrics ports.
    WORKER_METRICS_PORT: '0',
    TEMPORAL_METRICS_PORT: '0',
  };
}

export interface WorkerProcess {
  name: string;
  process: ManagedProcess;
  pid: number;
  /** Resolves once the worker polls its task queue. */
  ready: Promise<void>;
}

/** A worker as its own Node process (`node --import tsx <entry> ...args`), stopped with SIGTERM like in production. */
export function startWorkerProcess(options: {
  name: string;
  entry: string;
  /** Node's options before the entry; default `--import tsx` (TypeScript source). `[]` runs compiled JavaScript. */
  nodeArgs?: string[];
  args?: string[];
  env: Record<string, string>;
  temporalAddress: string;
  taskQueue: string;
  logs: Logs;
  cleanup: Cleanup;
  readyTimeoutMs?: number;
}): WorkerProcess {
  const proc = startProcess({
    name: options.name,
    command: process.execPath,
    args: [...(options.nodeArgs ?? ['--import', 'tsx']), options.entry, ...(options.args ?? [])],
    cwd: repoRoot,
    env: options.env,
    onLine: options.logs.sink(options.name).line,
  });
  options.cleanup.add(options.name, () => proc.stop(15_000));
  if (proc.child.pid === undefined) throw new Error(`${options.name} did not start`);
  const ready = waitUntilReady(proc, () => taskQueueHasWorker(options.temporalAddress, NAMESPACE, options.taskQueue), options.readyTimeoutMs ?? 240_000);
  return { name: options.name, process: proc, pid: proc.child.pid, ready };
}
