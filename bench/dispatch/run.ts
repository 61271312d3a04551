import { setTimeout as sleep } from 'node:timers/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { TokenEndpointLimiter } from '../../sandbox/core/faults.js';
import { temporalCli } from '../../tools/binaries.js';
import { freePort } from '../../tools/process.js';
import { startTemporalDevServer } from '../../tools/servers.js';
import { maxInWindow } from '../lifecycle/storm-dispatch.js';
import { NAMESPACE } from '../shared/stack.js';
import { loadAverage, runtimeSec, withBenchRun, type BenchRun } from '../shared/run.js';
import { bareWorkflow } from '../workflows/baselines.js';
import { secondTaskQueue, shapedUpdate, type NoopActivities } from '../workflows/messages.js';
import { parseDispatchOptions, type DispatchOptions } from './options.js';
import { buildReport, type DispatchTrial } from './report.js';

// `npm run bench -- dispatch`: why a renewal queue limited to the platform's rate still lets more
// than that through in a second. Each trial queues N one-activity updates at once on a fresh
// task queue whose activities are limited to R per second, and records when each activity
// started; a platform limiting R per fixed one-second window (the sandbox's limiter) is replayed
// over those starts to count what it would refuse.

type Mode = { name: string; limit: (rate: number) => Partial<WorkerOptions> };

const MODES: Mode[] = [
  { name: 'task-queue limit (maxTaskQueueActivitiesPerSecond)', limit: (rate) => ({ maxTaskQueueActivitiesPerSecond: rate }) },
  { name: 'per-worker limit (maxActivitiesPerSecond)', limit: (rate) => ({ maxActivitiesPerSecond: rate }) },
  { name: 'both', limit: (rate) => ({ maxTaskQueueActivitiesPerSecond: rate, maxActivitiesPerSecond: rate }) },
];

async function trial(options: DispatchOptions, client: Client, connection: NativeConnection, mode: Mode, partitions: string): Promise<DispatchTrial> {
  const taskQueue = `dispatch-${Date.now()}`;
  const starts: number[] = [];
  const activities: NoopActivities = {
    noop: async () => {
      const at = Date.now();
      starts.push(at);
      return at;
    },
  };
  const workers = await Promise.all([
    Worker.create({ connection, namespace: NAMESPACE, taskQueue, activities, workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)) }),
    Worker.create({ connection, namespace: NAMESPACE, taskQueue: secondTaskQueue(taskQueue), activities, ...mode.limit(options.rate) }),
  ]);
  const running = Promise.all(workers.map((worker) => worker.run()));
  const one = (id: string) =>
    client.workflow.executeUpdateWithStart(shapedUpdate, {
      args: [['second']],
      startWorkflowOperation: new WithStartWorkflowOperation(bareWorkflow, { workflowId: `${taskQueue}-${id}`, taskQueue, workflowIdConflictPolicy: 'USE_EXISTING' }),
    });
  try {
    await one('warm-up'); // the first poll installs the limit
    await sleep(options.idleSec * 1000);
    starts.length = 0;
    await Promise.all(Array.from({ length: options.activities }, (_, i) => one(String(i))));
  } finally {
    for (const worker of workers) worker.shutdown();
    await running;
  }
  const sorted = [...starts].sort((a, b) => a - b);
  const first = sorted[0] as number;
  const spanSec = ((sorted.at(-1) as number) - first) / 1000;
  const platform = new TokenEndpointLimiter();
  const refused = sorted.filter((at) => platform.hit('x', { limit: options.rate, windowSec: 1 }, at) !== undefined).length;
  return {
    mode: mode.name,
    partitions,
    activities: sorted.length,
    perSecond: (sorted.length - 1) / spanSec,
    shareOfLimit: (sorted.length - 1) / spanSec / options.rate,
    firstSecond: sorted.filter((at) => at < first + 1000).length,
    busiestSecond: maxInWindow(sorted, 1000),
    refusedByFixedWindow: refused,
  };
}

async function serverTrials(run: BenchRun, options: DispatchOptions, partitions: number | undefined): Promise<DispatchTrial[]> {
  const label = partitions === undefined ? 'default' : String(partitions);
  const temporal = await startTemporalDevServer({
    cli: await temporalCli(),
    port: await freePort(),
    namespace: NAMESPACE,
    onLine: run.logs.sink(`temporal-partitions-${label}`).line,
    dynamicConfig: partitions === undefined ? [] : [`matching.numTaskqueueReadPartitions=${partitions}`, `matching.numTaskqueueWritePartitions=${partitions}`],
  });
  run.cleanup.add(`temporal dev server (${label} partitions)`, () => temporal.process.stop());
  const connection = await NativeConnection.connect({ address: temporal.address });
  const clientConnection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection: clientConnection, namespace: NAMESPACE });
  const trials: DispatchTrial[] = [];
  try {
    for (const mode of MODES) {
      const result = await trial(options, client, connection, mode, label);
      run.progress(`  ${label} partitions, ${mode.name}: ${result.perSecond.toFixed(2)}/s, busiest second ${result.busiestSecond}, refused by a ${options.rate}/1 s platform ${result.refusedByFixedWindow}`);
      trials.push(result);
    }
  } finally {
    await clientConnection.close();
    await connection.close();
    await temporal.process.stop();
  }
  return trials;
}

export async function runDispatchBench(argv: string[]): Promise<number> {
  const options = parseDispatchOptions(argv);
  return withBenchRun('dispatch', 'stopping the dev servers', async (run) => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    run.progress(`dispatch benchmark: ${options.activities} activities at once, limit ${options.rate}/s; logs in ${run.logs.dir}`);
    const trials = [...(await serverTrials(run, options, undefined)), ...(await serverTrials(run, options, 1))];
    return buildReport({
      options,
      environment: { cpus: availableParallelism(), node: process.version, temporal: 'temporal server start-dev (in memory)', loadAverage: loadAverage(run) },
      trials,
      runtimeSec: runtimeSec(run),
    });
  });
}
