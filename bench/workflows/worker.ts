import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

// The baseline worker process, started by the benchmark like worker/main.ts is, but configured by
// arguments: `node --import tsx bench/workflows/worker.ts --address host:port --task-queue q`.
// It bundles bench/workflows at start, as worker/main.ts bundles Tether's workflows without a build.

const { values } = parseArgs({
  options: {
    address: { type: 'string' },
    namespace: { type: 'string', default: 'default' },
    'task-queue': { type: 'string' },
  },
});
if (!values.address || !values['task-queue']) throw new Error('usage: worker.ts --address host:port --task-queue name');

Runtime.install({ logger: new DefaultLogger('WARN') });
const connection = await NativeConnection.connect({ address: values.address });
const worker = await Worker.create({
  connection,
  namespace: values.namespace,
  taskQueue: values['task-queue'],
  workflowsPath: fileURLToPath(new URL('./index.ts', import.meta.url)),
  shutdownGraceTime: '2 seconds',
});
process.stdout.write('baseline worker ready\n');
try {
  await worker.run();
} finally {
  await connection.close();
}
