import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../config/index.js';
import { connectDatabase } from '../../db/connection.js';
import { createCredentialStore } from '../../db/credentials.js';
import { createModels, ensureIndexes } from '../../db/models/index.js';
import { createAdapters } from '../../platforms/registry.js';
import { Cleanup } from '../shared/cleanup.js';
import { createOwner, PLATFORM } from '../shared/owner.js';
import { resultsDir, timestamp, writeResults } from '../shared/report.js';
import { openLogs, startCountingSandbox, startServers, startWorkerProcess, tetherEnvironment } from '../shared/stack.js';
import type { LifecycleContext } from './context.js';
import { readWorkerMemory } from './memory.js';
import { parseLifecycleOptions } from './options.js';
import { buildReport } from './report.js';
import { consentAll, createIdentities } from './setup.js';
import { connectAccounts, startBaselineWorkflows } from './start-throughput.js';
import { runStorm } from './storm.js';
import { timeNoopUpdates, timeRefreshNow } from './update-latency.js';

// `npm run bench -- lifecycle`: our own servers and workers, N accounts through the real connect
// path beside a bare workflow, then update latency, worker memory and a renewal storm.

export async function runLifecycleBench(argv: string[], settings: { temporalCliPath?: string }): Promise<number> {
  const options = parseLifecycleOptions(argv);
  const cleanup = new Cleanup();
  cleanup.exitOnSignals();
  const stamp = timestamp();
  const started = Date.now();
  const progress = (message: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
  const logs = openLogs(path.join(resultsDir, `lifecycle-${stamp}-logs`), cleanup);

  try {
    progress(`lifecycle benchmark: ${options.accounts} accounts; logs in ${logs.dir}`);
    const [servers, sandbox] = await Promise.all([startServers({ temporalCliPath: settings.temporalCliPath, logs, cleanup }), startCountingSandbox(cleanup)]);
    progress(`servers up: Temporal ${servers.temporalAddress}, ${servers.databaseKind} ${servers.mongoUri}, sandbox ${sandbox.url}`);

    const run = randomUUID().slice(0, 8);
    const accountTaskQueue = `bench-accounts-${run}`;
    const baselineTaskQueue = `bench-noop-${run}`;
    const environment = tetherEnvironment({
      servers,
      database: `tether_bench_${run}`,
      taskQueue: accountTaskQueue,
      sandboxUrl: sandbox.url,
      dataDir: mkdtempSync(path.join(tmpdir(), 'tether-bench-data-')),
    });
    const config = loadConfig(environment);
    const common = { temporalAddress: servers.temporalAddress, logs, cleanup };
    const workers = {
      tether: startWorkerProcess({ ...common, name: 'tether-worker', entry: 'worker/main.ts', env: environment, taskQueue: accountTaskQueue }),
      baseline: startWorkerProcess({
        ...common,
        name: 'baseline-worker',
        entry: 'bench/workflows/worker.ts',
        args: ['--address', servers.temporalAddress, '--task-queue', baselineTaskQueue],
        env: {},
        taskQueue: baselineTaskQueue,
      }),
    };

    const database = await connectDatabase(config.mongo.uri);
    cleanup.add('database connection', () => database.close());
    const models = createModels(database);
    await ensureIndexes(models);
    const connection = await Connection.connect({ address: servers.temporalAddress });
    cleanup.add('temporal client', () => connection.close());
    const adapter = createAdapters({
      mode: 'sandbox',
      sandboxUrl: sandbox.url,
      clients: config.platforms.clients,
      linkedinPartnerRefresh: false,
      timeoutMs: 30_000,
    })[PLATFORM];
    if (!adapter) throw new Error('no X adapter in sandbox mode');
    const context: LifecycleContext = {
      options,
      config,
      models,
      store: createCredentialStore(models, config.tokenEncryptionKey),
      client: new Client({ connection, namespace: config.temporal.namespace }),
      sandbox,
      adapter,
      owner: await createOwner(models),
      accountTaskQueue,
      baselineTaskQueue,
      workers,
      progress,
    };

    const setupStarted = Date.now();
    progress(`setup: ${options.accounts} sandbox identities and OAuth consents (not measured)`);
    const identityIds = await createIdentities(sandbox.control, options.accounts, options.setupConcurrency);
    const consented = await consentAll(adapter, config, identityIds, options.setupConcurrency);
    const setupSec = (Date.now() - setupStarted) / 1000;
    progress(`setup done in ${setupSec.toFixed(1)} s; waiting for both workers (they bundle their workflows at start)`);
    await Promise.all([workers.tether.ready, workers.baseline.ready]);

    const memoryBefore = await readWorkerMemory(context);
    progress(`workers idle: Tether ${memoryBefore.tether.rssMiB} MiB, baseline ${memoryBefore.baseline.rssMiB} MiB`);

    progress(`phase 1: ${options.accounts} bare workflows by update-with-start`);
    const baselineStarts = await startBaselineWorkflows(context, options.accounts);
    progress(`  ${baselineStarts.perSecond.toFixed(1)}/s`);
    progress(`phase 1: ${options.accounts} accounts through the connect path`);
    const connected = await connectAccounts(context, consented);
    progress(`  ${connected.result.perSecond.toFixed(1)}/s (${connected.result.failures} failed)`);

    const memoryAfter = await readWorkerMemory(context);
    progress(`phase 3: with ${options.accounts} idle workflows: Tether ${memoryAfter.tether.rssMiB} MiB, baseline ${memoryAfter.baseline.rssMiB} MiB`);

    const samples = Math.min(options.latencySamples, connected.accounts.length);
    progress(`phase 2: ${samples} no-op updates and ${samples} refreshNow updates, ${options.latencyConcurrency} in flight`);
    const noopLatency = await timeNoopUpdates(context, samples);
    const refreshLatency = await timeRefreshNow(context, connected.accounts.slice(0, samples).map((a) => a.accountId));
    progress(`  no-op p50 ${noopLatency.latencyMs.p50} ms, refreshNow p50 ${refreshLatency.latencyMs.p50} ms`);

    // The storm's reconnect wave also runs a consent per account: allow half as fast again as phase 1.
    const estimatedWaveSec = (1.5 * options.accounts) / Math.max(1, connected.result.perSecond);
    const storm = options.storm ? await runStorm(context, connected.accounts, estimatedWaveSec) : undefined;

    const expiredAtEnd = await models.Account.countDocuments({ 'status.state': 'expired' });
    const { refreshTokenReuse } = await sandbox.control.counters();
    const report = buildReport({
      options,
      environment: {
        cpus: availableParallelism(),
        node: process.version,
        database: servers.databaseKind,
        temporal: 'temporal server start-dev (in memory)',
      },
      setupSec,
      starts: { ours: connected.result, baseline: baselineStarts },
      latency: { ours: refreshLatency, baseline: noopLatency },
      memory: { before: memoryBefore, after: memoryAfter, accounts: connected.accounts.length },
      storm,
      totals: { expiredAtEnd, refreshTokenReuse, runtimeSec: (Date.now() - started) / 1000 },
    });
    const files = writeResults('lifecycle', stamp, report.json, report.markdown);
    process.stdout.write(`\n${report.markdown}\n\nResults: ${files.markdown}\n         ${files.json}\n`);
    for (const problem of report.problems) process.stderr.write(`[bench] FAIL: ${problem}\n`);
    return report.problems.length > 0 ? 1 : 0;
  } finally {
    progress('stopping workers and servers');
    await cleanup.runAll();
  }
}

