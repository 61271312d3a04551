import { randomBytes } from 'node:crypto';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RequestHandler } from 'express';
import { SandboxClient } from '../../sandbox/client.js';
import { startSandbox } from '../../sandbox/server.js';
import type { EmbeddedDatabaseBackend } from '../../config/schema.js';
import { databaseServer, databaseServerName, temporalCli } from '../../tools/binaries.js';
import { repoRoot } from '../../tools/paths.js';
import { freePort, startProcess, waitUntilReady, type ManagedProcess } from '../../tools/process.js';
import { startDatabaseServer, startTemporalDevServer, taskQueueHasWorker } from '../../tools/servers.js';
import type { Cleanup } from './cleanup.js';

// The servers a benchmark runs against, all its own, on free ports: a Temporal dev server
// (in memory), the MongoDB-wire server, the platform sandbox in-process, and worker processes.
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
  return { temporalAddress: temporal.address, mongoUri: database.uri, databaseKind: databaseServerName(dbServer) };
}

export interface BenchSandbox {
  url: string;
  control: SandboxClient;
  /** Responses with status 429, per `"<METHOD> <path>"`, since the sandbox started. */
  tooManyRequests: Map<string, number>;
  /** Every platform call the sandbox answered, per `"<METHOD> <path>"`: how many, and how long it took to answer. */
  calls: Map<string, { count: number; ms: number }>;
  /** Records each platform call (arrival, status, time to answer) until `stopRecording`. */
  startRecording(): void;
  stopRecording(): SandboxCall[];
}

/** One platform call as the sandbox saw it. */
export interface SandboxCall {
  /** Epoch ms the request arrived. */
  at: number;
  key: string;
  status: number;
  ms: number;
}

const MAX_RECORDED_CALLS = 200_000;

/**
 * The sandbox in-process, behind a middleware that counts and times every call it answers and
 * the 429s among them (the sandbox's own counters do not keep those).
 */
export async function startCountingSandbox(cleanup: Cleanup): Promise<BenchSandbox> {
  const tooManyRequests = new Map<string, number>();
  const calls = new Map<string, { count: number; ms: number }>();
  let recorded: SandboxCall[] | undefined;
  const count: RequestHandler = (req, res, next) => {
    const at = Date.now();
    const started = performance.now();
    // Read before routing: routers mounted on a host prefix rewrite req.path.
    const key = `${req.method} ${req.path}`;
    res.on('finish', () => {
      const ms = performance.now() - started;
      const call = calls.get(key) ?? { count: 0, ms: 0 };
      call.count += 1;
      call.ms += ms;
      calls.set(key, call);
      if (res.statusCode === 429) tooManyRequests.set(key, (tooManyRequests.get(key) ?? 0) + 1);
      if (recorded) {
        recorded.push({ at, key, status: res.statusCode, ms });
        if (recorded.length >= MAX_RECORDED_CALLS) recorded = undefined;
      }
    });
    next();
  };
  const sandbox = await startSandbox({ before: [count] });
  cleanup.add('sandbox', () => sandbox.close());
  return {
    url: sandbox.url,
    control: new SandboxClient(sandbox.url),
    tooManyRequests,
    calls,
    startRecording: () => {
      recorded = [];
    },
    stopRecording: () => {
      const result = recorded ?? [];
      recorded = undefined;
      return result;
    },
  };
}

/** Calls between two copies of `calls` (platform calls only: the control API is not counted). */
export function callsBetween(before: Map<string, { count: number; ms: number }>, after: Map<string, { count: number; ms: number }>): Record<string, { count: number; ms: number }> {
  const result: Record<string, { count: number; ms: number }> = {};
  for (const [key, call] of after) {
    if (key.includes('/_sandbox/')) continue;
    const earlier = before.get(key) ?? { count: 0, ms: 0 };
    if (call.count > earlier.count) result[key] = { count: call.count - earlier.count, ms: call.ms - earlier.ms };
  }
  return result;
}

export const copyCalls = (calls: Map<string, { count: number; ms: number }>) => new Map([...calls].map(([key, call]) => [key, { ...call }]));

export const sum429 = (counts: Map<string, number>) => [...counts.values()].reduce((total, n) => total + n, 0);

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
