import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { searchAttributeCliArgs } from '../workflows/search-attributes.js';
import type { DatabaseServer } from './binaries.js';
import { startPostgresql } from './postgresql.js';
import { freePort, startProcess, waitUntilReady, type LineSink, type ManagedProcess } from './process.js';

// The two real servers Tether needs, started as child processes: used by `npm start` (persistent
// data under .data/) and by the test harness (throwaway data, random ports).

/** Identities of the workers polling a task queue for workflow tasks. */
export async function taskQueuePollers(address: string, namespace: string, taskQueue: string): Promise<string[]> {
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
    });
    return (pollers ?? []).map((poller) => poller.identity ?? '');
  } finally {
    await connection.close();
  }
}

/** True once a worker polls the task queue for workflow tasks: the worker is up and registered. */
export async function taskQueueHasWorker(address: string, namespace: string, taskQueue: string): Promise<boolean> {
  return (await taskQueuePollers(address, namespace, taskQueue)).length > 0;
}

export interface RunningTemporal {
  process: ManagedProcess;
  address: string;
  uiUrl?: string;
}

export async function temporalReachable(address: string, namespace: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } finally {
    await connection.close();
  }
}

export async function startTemporalDevServer(options: {
  cli: string;
  port: number;
  /** Omit to run headless. */
  uiPort?: number;
  /** Omit for an in-memory server. */
  dbFile?: string;
  namespace: string;
  onLine: LineSink;
  readyTimeoutMs?: number;
  /** Extra dynamic config, as `key=JSON value` (benchmarks: task queue partitions). */
  dynamicConfig?: string[];
}): Promise<RunningTemporal> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--namespace', options.namespace];
  args.push('--log-level', 'error', '--log-format', 'pretty');
  if (options.uiPort) args.push('--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1');
  else args.push('--headless');
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  for (const attribute of searchAttributeCliArgs()) args.push('--search-attribute', attribute);
  // Lets tests and benchmarks force continue-as-new without running tens of thousands of events.
  args.push('--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=10000');
  for (const value of options.dynamicConfig ?? []) args.push('--dynamic-config-value', value);

  const address = `127.0.0.1:${options.port}`;
  const proc = startProcess({ name: 'temporal', command: options.cli, args, onLine: options.onLine });
  await waitUntilReady(proc, () => temporalReachable(address, options.namespace), options.readyTimeoutMs ?? 60_000);
  return { process: proc, address, uiUrl: options.uiPort ? `http://localhost:${options.uiPort}` : undefined };
}

export interface RunningDatabase {
  process: ManagedProcess;
  /** Server URI without a database name; append `/<db>`. */
  uri: string;
}

export async function databaseReachable(uri: string): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1500, connectTimeoutMS: 1500 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } finally {
    await client.close();
  }
}

export async function startDatabaseServer(options: {
  server: DatabaseServer;
  port: number;
  /** SQLite files, mongod's files, or the PostgreSQL cluster (its parent must be reachable by user `postgres` when run as root). */
  dataDir: string;
  onLine: LineSink;
  readyTimeoutMs?: number;
}): Promise<RunningDatabase> {
  const listen = `127.0.0.1:${options.port}`;
  const uri = `mongodb://${listen}`;
  const { server } = options;
  if (server.kind === 'ferretdb' && server.postgresql) {
    const postgresql = await startPostgresql({ binaries: server.postgresql, dataDir: options.dataDir, port: await freePort(), onLine: options.onLine });
    try {
      const ferretdb = startProcess({ name: 'db', command: server.path, args: ['-listen', listen, '-postgresql-url', postgresql.url], onLine: options.onLine });
      const both = bothProcesses(ferretdb, postgresql.process);
      await waitUntilReady(both, () => databaseReachable(uri), options.readyTimeoutMs ?? 30_000).catch(async (error: unknown) => {
        await both.stop();
        throw error;
      });
      return { process: both, uri };
    } catch (error) {
      await postgresql.process.stop();
      throw error;
    }
  }
  let args: string[];
  if (server.kind === 'ferretdb') {
    args = ['-listen', listen, '-data', options.dataDir];
  } else {
    mkdirSync(options.dataDir, { recursive: true });
    args = ['--bind_ip', '127.0.0.1', '--port', String(options.port), '--dbpath', options.dataDir, '--quiet'];
  }
  const proc = startProcess({ name: 'db', command: server.path, args, onLine: options.onLine });
  await waitUntilReady(proc, () => databaseReachable(uri), options.readyTimeoutMs ?? 30_000);
  return { process: proc, uri };
}

/** FerretDB and its PostgreSQL as one process: it exits when either does, and stops FerretDB first. */
function bothProcesses(ferretdb: ManagedProcess, postgresql: ManagedProcess): ManagedProcess {
  return {
    name: ferretdb.name,
    child: ferretdb.child,
    exited: Promise.race([ferretdb.exited, postgresql.exited]),
    async stop(timeoutMs) {
      await ferretdb.stop(timeoutMs);
      await postgresql.stop(timeoutMs);
    },
  };
}
