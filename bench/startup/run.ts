import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from '../../tools/build.js';
import { processMemory } from '../shared/memory.js';
import { loadAverage, runtimeSec, withBenchRun } from '../shared/run.js';
import { NAMESPACE, startServers, startWorkerProcess, type Servers } from '../shared/stack.js';
import { parseStartupOptions } from './options.js';
import { buildReport, type StartSample } from './report.js';
import { WORKER_VARIANTS, type WorkerVariant } from './variants.js';

// `npm run bench -- startup`: `npm run build`, then the worker started again and again as the image
// runs it (compiled) and from source through tsx, in turn, against the same servers: time from
// spawn until it polls its task queue, and its resident memory once idle.

/** The whole environment of one worker start: production settings (live platforms, none configured), a task queue of its own. */
function workerEnvironment(servers: Servers, variant: WorkerVariant, run: number, encryptionKey: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: variant.nodeEnv,
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-bench-startup-')),
    TEMPORAL_ADDRESS: servers.temporalAddress,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_TASK_QUEUE: `startup-${variant.key}-${run}-${randomBytes(3).toString('hex')}`,
    MONGODB_URI: `${servers.mongoUri}/bench_startup`,
    SESSION_SECRET: randomBytes(32).toString('base64'),
    TOKEN_ENCRYPTION_KEY: encryptionKey,
    PUBLIC_URL: 'https://tether.example.com',
    SMTP_URL: 'smtp://127.0.0.1:9',
    PLATFORM_MODE: 'live',
    WORKER_METRICS_PORT: '0',
    TEMPORAL_METRICS_PORT: '0',
  };
}

export async function runStartupBench(argv: string[], settings: { temporalCliPath?: string }): Promise<number> {
  const options = parseStartupOptions(argv);
  return withBenchRun('startup', 'stopping workers and servers', async (run) => {
    const { logs, cleanup, progress } = run;
    progress(`startup benchmark: ${options.rounds} rounds of ${WORKER_VARIANTS.length} worker variants; logs in ${logs.dir}`);
    progress('npm run build (compile to dist/, bundle the workflows)');
    const built = await build();
    progress(`built: compiled in ${(built.compileMs / 1000).toFixed(1)} s, bundled in ${(built.bundleMs / 1000).toFixed(1)} s`);
    const servers = await startServers({ temporalCliPath: settings.temporalCliPath, logs, cleanup });
    progress(`Temporal dev server and ${servers.databaseKind} up`);

    const encryptionKey = randomBytes(32).toString('base64');
    const samples: StartSample[] = [];
    const failures: string[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      for (const variant of WORKER_VARIANTS) {
        const env = workerEnvironment(servers, variant, round, encryptionKey);
        const started = performance.now();
        const worker = startWorkerProcess({
          name: `worker-${variant.key}-${round}`,
          entry: variant.entry,
          nodeArgs: variant.nodeArgs,
          env,
          temporalAddress: servers.temporalAddress,
          taskQueue: env.TEMPORAL_TASK_QUEUE!,
          logs,
          cleanup,
          readyTimeoutMs: 180_000,
        });
        try {
          await worker.ready;
        } catch (error) {
          failures.push(`${variant.label}, round ${round}: ${(error as Error).message}`);
          await worker.process.stop(15_000);
          continue;
        }
        const startSec = (performance.now() - started) / 1000;
        await sleep(options.settleSec * 1000);
        const memory = processMemory(worker.pid);
        samples.push({ variant: variant.key, round, startSec, idleRssBytes: memory.rssBytes, peakRssBytes: memory.peakRssBytes });
        progress(`round ${round}, ${variant.label}: polling after ${startSec.toFixed(2)} s, ${(memory.rssBytes / 1048576).toFixed(0)} MiB idle`);
        await worker.process.stop(15_000);
      }
    }

    return buildReport({
      options,
      environment: { cpus: availableParallelism(), node: process.version, database: servers.databaseKind, loadAverage: loadAverage(run) },
      build: { compileSec: built.compileMs / 1000, bundleSec: built.bundleMs / 1000, bundleKiB: built.bundleKiB },
      samples,
      failures,
      runtimeSec: runtimeSec(run),
    });
  });
}
