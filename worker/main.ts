import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { configFromEnvironment } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { temporalConnectionOptions } from '../config/temporal.js';
import { connectDatabase } from '../db/connection.js';
import { createModels, ensureIndexes } from '../db/models/index.js';
import { createMailer } from '../activities/notify/email.js';
import { createAdapters } from '../platforms/registry.js';
import { reportApiVersionSupport } from '../platforms/api-versions.js';
import { createWorkers, runWorkers } from './create-worker.js';
import { ensureReconcileSchedule, reconcileNow } from './reconcile-schedule.js';
import { accountWorkflowTargetFor } from '../services/account-workflows/target.js';

// The worker process: runs account workflows and their activities until SIGINT/SIGTERM, then
// stops polling, lets in-flight activities finish (or cancels them after the grace time) and exits.

const config = configFromEnvironment();
const logger = createLogger(config.log, 'worker');
reportApiVersionSupport(config.platforms.apiVersions, (fields, message) => logger.warn(fields, message));
const pinoLevel = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
// The per-platform renewal workers run activities only, which the SDK reports at WARN; it is by design.
const expected = (message: string) => message.startsWith('No workflows registered');
Runtime.install({
  logger: new DefaultLogger('WARN', (entry) =>
    logger[expected(entry.message) ? 'debug' : pinoLevel[entry.level]](entry.meta ?? {}, entry.message),
  ),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } },
});

const database = await connectDatabase(config.mongo.uri);
const models = createModels(database);
await ensureIndexes(models);
const identity = `worker@${hostname()}:${process.pid}`;
const connectionOptions = temporalConnectionOptions(config.temporal);
const connection = await NativeConnection.connect(connectionOptions);
const clientConnection = await Connection.connect(connectionOptions);
const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
const bundlePath = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));
const workflows = accountWorkflowTargetFor(client, config);

const workers = await createWorkers({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  activities: createActivities({
    models,
    workerIdentity: identity,
    config,
    mailer: createMailer(config.email),
    adapters: createAdapters(config.platforms),
    workflows,
  }),
  // Production images bundle at build time (`npm run build`); development bundles fresh code at start.
  renewalsPerSecond: config.lifecycle.renewalsPerSecond,
  maxCachedWorkflows: config.temporal.maxCachedWorkflows,
  workflowBundle: config.env === 'production' && existsSync(bundlePath) ? { codePath: bundlePath } : undefined,
  identity,
});

const running = runWorkers(workers);
logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker ready');
await ensureReconcileSchedule(client, config.temporal.taskQueue);
reconcileNow(client, config.temporal.taskQueue).then(
  (report) => logger.info(report, 'account workflows reconciled'),
  (error: unknown) => logger.warn({ err: error }, 'startup reconciliation failed; the schedule will retry'),
);
try {
  await running;
} finally {
  await clientConnection.close();
  await connection.close();
  await database.close();
  logger.info('worker stopped');
}
