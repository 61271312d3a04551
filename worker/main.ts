import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { configFromEnvironment } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { temporalConnectionOptions } from '../config/temporal.js';
import { connectDatabase } from '../db/connection.js';
import { createModels } from '../db/models/index.js';
import { createWorker } from './create-worker.js';

// The worker process: runs account workflows and their activities until SIGINT/SIGTERM, then
// stops polling, lets in-flight activities finish (or cancels them after the grace time) and exits.

const config = configFromEnvironment();
const logger = createLogger(config.log, 'worker');
const pinoLevel = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
Runtime.install({
  logger: new DefaultLogger('WARN', (entry) => logger[pinoLevel[entry.level]](entry.meta ?? {}, entry.message)),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } },
});

const database = await connectDatabase(config.mongo.uri);
const identity = `worker@${hostname()}:${process.pid}`;
const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
const bundlePath = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));

const worker = await createWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  activities: createActivities({ models: createModels(database), workerIdentity: identity }),
  workflowBundle: existsSync(bundlePath) ? { codePath: bundlePath } : undefined,
  identity,
});

logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker ready');
try {
  await worker.run();
} finally {
  await connection.close();
  await database.close();
  logger.info('worker stopped');
}
