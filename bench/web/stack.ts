import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { loadConfig, type Config } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { createModels, ensureIndexes, type Models } from '../../db/models/index.js';
import { createAdapters } from '../../platforms/registry.js';
import { databaseServer } from '../../tools/binaries.js';
import { freePort } from '../../tools/process.js';
import { startDatabaseServer } from '../../tools/servers.js';
import { createApp } from '../../web/app.js';
import type { Cleanup } from '../shared/cleanup.js';
import { monitoredConnection } from '../shared/db-commands.js';
import type { Logs } from '../shared/stack.js';

// What the web benchmark runs against: its own MongoDB-wire server and the dashboard app in this
// process on a free port. No Temporal server: the Connections page reads MongoDB only, and the
// app's Temporal client is lazy, so it never connects.

/** A plan roomy enough for the largest size, so no plan banner changes the page between sizes. */
export const BENCH_PLAN = 'bench';

export interface WebStack {
  config: Config;
  connection: Connection;
  models: Models;
  baseUrl: string;
  databaseKind: string;
}

export async function startWebStack(options: { logs: Logs; cleanup: Cleanup; planLimit: number }): Promise<WebStack> {
  const { logs, cleanup } = options;
  const scratch = mkdtempSync(path.join(tmpdir(), 'tether-bench-web-'));
  cleanup.add('scratch directory', () => rmSync(scratch, { recursive: true, force: true }));
  const server = await databaseServer();
  const database = await startDatabaseServer({ server, port: await freePort(), dataDir: path.join(scratch, 'db'), onLine: logs.sink('db').line });
  cleanup.add('database server', () => database.process.stop());

  const config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    TETHER_DATA_DIR: path.join(scratch, 'data'),
    MONGODB_URI: `${database.uri}/tether_bench_web`,
    TEMPORAL_ADDRESS: '127.0.0.1:9',
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PLATFORM_MODE: 'sandbox',
    SANDBOX_URL: 'http://127.0.0.1:9',
    PLANS: JSON.stringify({ free: 0, [BENCH_PLAN]: options.planLimit }),
  });
  // Command monitoring is fixed when a pooled connection opens, so it is on from the start; listeners come and go.
  const connection = await monitoredConnection(config.mongo.uri);
  cleanup.add('database connection', () => connection.close());
  const models = createModels(connection);
  await ensureIndexes(models);

  const app = createApp({
    config,
    models,
    temporal: new Client({ namespace: config.temporal.namespace }),
    logger: createLogger(config.log, 'web'),
    readiness: {},
    // Sandbox adapters that are never called: they make every platform "configured" on the page, as in production.
    adapters: createAdapters({ mode: 'sandbox', sandboxUrl: config.platforms.sandboxUrl, clients: config.platforms.clients, linkedinPartnerRefresh: false }),
  });
  const listener = await new Promise<Server>((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  cleanup.add('web server', () => new Promise((resolve) => {
    listener.close(resolve);
    listener.closeAllConnections();
  }));
  const { port } = listener.address() as AddressInfo;
  return { config, connection, models, baseUrl: `http://127.0.0.1:${port}`, databaseKind: server.kind };
}
