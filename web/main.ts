import { Client, Connection } from '@temporalio/client';
import { configFromEnvironment } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { temporalConnectionOptions } from '../config/temporal.js';
import { connectDatabase, databasePing } from '../db/connection.js';
import { createModels } from '../db/models/index.js';
import { createAdapters } from '../platforms/registry.js';
import { createMailer } from '../services/mailer.js';
import { createWebMetrics } from '../services/metrics/registry.js';
import { startMetricsServer } from '../services/metrics/server.js';
import { createApp } from './app.js';

const config = configFromEnvironment();
const logger = createLogger(config.log, 'web');
const database = await connectDatabase(config.mongo.uri);
const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
const temporal = new Client({ connection, namespace: config.temporal.namespace });
const metrics = createWebMetrics();
const metricsServer = config.metrics.webPort ? await startMetricsServer(metrics.registry, config.metrics.host, config.metrics.webPort, 'WEB_METRICS_PORT') : undefined;

const app = createApp({
  config,
  models: createModels(database),
  temporal,
  logger,
  adapters: createAdapters(config.platforms),
  mailer: createMailer(config.email),
  metrics,
  readiness: {
    database: () => databasePing(database),
    temporal: async () => {
      await connection.workflowService.describeNamespace({ namespace: config.temporal.namespace });
    },
  },
});

const server = app.listen(config.web.port, config.web.host, () => {
  logger.info(`dashboard ready at ${config.web.publicUrl}`);
});
server.on('error', (error: NodeJS.ErrnoException) => {
  logger.error(error.code === 'EADDRINUSE' ? `Port ${config.web.port} is already in use; set WEB_PORT to a free port.` : error.message);
  process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(async () => {
      await metricsServer?.close();
      await connection.close();
      await database.close();
      process.exit(0);
    });
    server.closeAllConnections();
  });
}
