import { hostname } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { createTokenRequestPacer } from '../activities/lifecycle/pacing.js';
import { configFromEnvironment } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { temporalConnectionOptions } from '../config/temporal.js';
import { connectDatabase } from '../db/connection.js';
import { createModels, ensureIndexes } from '../db/models/index.js';
import { claimRenewalSlots } from '../db/renewal-slots.js';
import { createMailer } from '../services/mailer.js';
import { startAccountGauges } from '../services/metrics/account-gauges.js';
import { createWorkerMetrics } from '../services/metrics/registry.js';
import { startMetricsServer } from '../services/metrics/server.js';
import { createAdapters } from '../platforms/registry.js';
import { reportApiVersionSupport } from '../platforms/api-versions.js';
import { createWorkers, renewalRates, runWorkers } from './create-worker.js';
import { ensureReconcileSchedule, reconcileNow } from './reconcile-schedule.js';
import { prebuiltWorkflowBundle, runningCompiled } from './workflow-bundle.js';
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
  telemetryOptions: {
    logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
    // The SDK's own worker metrics (task latencies, slots, failures) on a Prometheus listener of its own.
    ...(config.metrics.temporalPort
      ? { metrics: { prometheus: { bindAddress: `${config.metrics.host}:${config.metrics.temporalPort}`, countersTotalSuffix: true, useSecondsForDurations: true, unitSuffix: true } } }
      : {}),
  },
});

const database = await connectDatabase(config.mongo.uri);
const models = createModels(database);
await ensureIndexes(models);
const metrics = createWorkerMetrics();
const metricsServer = config.metrics.workerPort ? await startMetricsServer(metrics.registry, config.metrics.host, config.metrics.workerPort, 'WORKER_METRICS_PORT') : undefined;
const stopAccountGauges = startAccountGauges(models, metrics.gauges, logger);
const identity = `worker@${hostname()}:${process.pid}`;
const connectionOptions = temporalConnectionOptions(config.temporal);
const connection = await NativeConnection.connect(connectionOptions);
const clientConnection = await Connection.connect(connectionOptions);
const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
const bundlePath = prebuiltWorkflowBundle();
if (runningCompiled && !bundlePath) throw new Error('dist/workflow-bundle.js is missing: run `npm run build` (it compiles and bundles together)');
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
    metrics: metrics.activities,
    eventRetentionMs: config.accountEvents.retentionMs,
    // Slots in the shared database: every worker process together stays within the rates.
    paceTokenRequests: createTokenRequestPacer(renewalRates(config.lifecycle.renewalsPerSecond), config.lifecycle.renewalPacing, {
      claim: (platform, first, span, startsAt) => claimRenewalSlots(models, platform, first, span, startsAt),
    }),
  }),
  renewalsPerSecond: config.lifecycle.renewalsPerSecond,
  maxCachedWorkflows: config.temporal.maxCachedWorkflows,
  // The compiled worker (and production from source) loads the bundle `npm run build` made; development bundles fresh code at start.
  workflowBundle: bundlePath && (runningCompiled || config.env === 'production') ? { codePath: bundlePath } : undefined,
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
  stopAccountGauges();
  await metricsServer?.close();
  await clientConnection.close();
  await connection.close();
  await database.close();
  logger.info('worker stopped');
}
