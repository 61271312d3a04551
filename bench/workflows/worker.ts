import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { serveGarbageCollection } from '../shared/worker-control.js';
import { secondTaskQueue, type NoopActivities } from './messages.js';

// The baseline worker process, started by the benchmarks like worker/main.ts is, but configured by
// arguments. It bundles bench/workflows at start, as worker/main.ts bundles Tether's workflows
// without a build, and serves the no-op activity on its task queue and on a second one, rate-limited
// like Tether's renewal queue when --second-rate is given:
// `node --import tsx bench/workflows/worker.ts --address host:port --task-queue q [--second-rate 5] [--max-cached-workflows N] [--metrics-port P] [--control-port C]`
// (--metrics-port: the SDK's Prometheus exporter on 127.0.0.1:P, as Tether's TEMPORAL_METRICS_PORT;
// --control-port: POST /gc on 127.0.0.1:C runs a full garbage collection, as Tether's monitored worker does)

const { values } = parseArgs({
  options: {
    address: { type: 'string' },
    namespace: { type: 'string', default: 'default' },
    'task-queue': { type: 'string' },
    'second-rate': { type: 'string' },
    'max-cached-workflows': { type: 'string' },
    'metrics-port': { type: 'string' },
    'control-port': { type: 'string' },
  },
});
if (!values.address || !values['task-queue']) throw new Error('usage: worker.ts --address host:port --task-queue name [--second-rate N] [--max-cached-workflows N]');
const taskQueue = values['task-queue'];
const secondRate = values['second-rate'] === undefined ? undefined : Number(values['second-rate']);
const maxCachedWorkflows = values['max-cached-workflows'] === undefined ? undefined : Number(values['max-cached-workflows']);

const controlPort = values['control-port'];
if (controlPort !== undefined) {
  createServer((req, res) => {
    if (!serveGarbageCollection(req, res)) res.writeHead(404).end();
  })
    .listen(Number(controlPort), '127.0.0.1')
    .unref();
}

const metricsPort = values['metrics-port'];
Runtime.install({
  logger: new DefaultLogger('WARN'),
  // The same exporter settings as worker/main.ts, so the benchmark reads both workers alike.
  ...(metricsPort === undefined
    ? {}
    : { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}`, countersTotalSuffix: true, useSecondsForDurations: true, unitSuffix: true } } } }),
});
const activities: NoopActivities = { noop: async () => Date.now() };
const connection = await NativeConnection.connect({ address: values.address });
const common = { connection, namespace: values.namespace, shutdownGraceTime: '2 seconds', activities };
const workers = await Promise.all([
  Worker.create({
    ...common,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./index.ts', import.meta.url)),
    ...(maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows }),
  }),
  Worker.create({ ...common, taskQueue: secondTaskQueue(taskQueue), ...(secondRate === undefined ? {} : { maxTaskQueueActivitiesPerSecond: secondRate }) }),
]);
process.stdout.write('baseline worker ready\n');
try {
  await Promise.all(workers.map((worker) => worker.run()));
} finally {
  await connection.close();
}
