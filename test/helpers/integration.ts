import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Connection as MongooseConnection } from 'mongoose';
import { afterAll, beforeAll, inject } from 'vitest';
import type { Activities } from '../../activities/index.js';
import { loadConfig, type Config } from '../../config/index.js';
import { connectDatabase } from '../../db/connection.js';
import { createModels, ensureIndexes, type Models } from '../../db/models/index.js';
import { createWorkers, runWorkers } from '../../worker/create-worker.js';

// Helpers for the integration tier. Each test file gets its own database and its own task queue
// on the shared real servers started by test/setup/servers.ts.

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A Config as production would parse it, pointed at the test servers. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-config-')),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: uniqueName('tq'),
    MONGODB_URI: `${inject('mongoUri')}/${uniqueName('test').replace(/-/g, '_')}`,
    ...overrides,
  });
}

export interface TestDatabase {
  connection: MongooseConnection;
  models: Models;
  close(): Promise<void>;
}

export async function openDatabase(config: Config, options: { monitorCommands?: boolean } = {}): Promise<TestDatabase> {
  const connection = await connectDatabase(config.mongo.uri, options);
  return {
    connection,
    models: createModels(connection),
    async close() {
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

/** A database of its own (indexes built) for the tests of one `describe`, dropped afterwards; filled in by its `beforeAll`. */
export function useTestDatabase(): TestDatabase {
  const db = {} as TestDatabase;
  beforeAll(async () => {
    Object.assign(db, await openDatabase(testConfig()));
    await ensureIndexes(db.models);
  });
  afterAll(() => db.close?.());
  return db;
}

export async function temporalClient(config: Config): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({ address: config.temporal.address });
  return { client: new Client({ connection, namespace: config.temporal.namespace }), close: () => connection.close() };
}

export interface RunningWorker {
  workers: Worker[];
  stop(): Promise<void>;
}

/** Real workers on the config's task queues, using the workflow bundle built once by the global setup. */
export async function startWorker(config: Config, activities: Activities): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const workers = await createWorkers({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    shutdownGraceTime: '2 seconds',
  });
  const running = runWorkers(workers);
  return {
    workers,
    async stop() {
      for (const worker of workers) worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
