import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../config/index.js';
import { connectDatabase } from '../../db/connection.js';
import { createCredentialStore } from '../../db/credentials.js';
import { createModels, ensureIndexes } from '../../db/models/index.js';
import { createAdapters } from '../../platforms/registry.js';
import { createOwner, PLATFORM } from '../shared/owner.js';
import { Cleanup } from '../shared/cleanup.js';
import { resultsDir, timestamp, writeResults } from '../shared/report.js';
import { openLogs, startCountingSandbox, startServers, startWorkerProcess, tetherEnvironment } from '../shared/stack.js';
import { runBaseline } from './baseline.js';
import type { PublishContext } from './context.js';
import { measureRound, sandboxTally } from './drain.js';
import { parsePublishOptions } from './options.js';
import { limitAccounts, measureRateLimit } from './rate-limit.js';
import { buildReport, type PublishMeasurements } from './report.js';
import { dueInstant, scheduleRound } from './schedule.js';
import { connectAccounts, directAccounts } from './setup.js';

// `npm run bench -- publish`: our own servers and Tether's worker; M connected X accounts; N posts
// all due at one instant drained through the account workflows' queues, beside the same posts sent
// straight through the X adapter; then a round with some accounts rate-limited over the due instant.

export async function runPublishBench(argv: string[], settings: { temporalCliPath?: string }): Promise<number> {
  const options = parsePublishOptions(argv);
  const cleanup = new Cleanup();
  cleanup.exitOnSignals();
  const stamp = timestamp();
  const started = Date.now();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const progress = (message: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
  const logs = openLogs(path.join(resultsDir, `publish-${stamp}-logs`), cleanup);

  try {
    progress(`publish benchmark: ${options.posts} posts over ${options.accounts} accounts; logs in ${logs.dir}`);
    const [servers, sandbox] = await Promise.all([startServers({ temporalCliPath: settings.temporalCliPath, logs, cleanup }), startCountingSandbox(cleanup)]);
    progress(`servers up: Temporal ${servers.temporalAddress}, ${servers.databaseKind} ${servers.mongoUri}, sandbox ${sandbox.url}`);

    const runId = randomUUID().slice(0, 8);
    const accountTaskQueue = `bench-publish-${runId}`;
    const environment = tetherEnvironment({
      servers,
      database: `tether_bench_${runId}`,
      taskQueue: accountTaskQueue,
      sandboxUrl: sandbox.url,
      dataDir: mkdtempSync(path.join(tmpdir(), 'tether-bench-data-')),
    });
    const config = loadConfig(environment);
    const worker = startWorkerProcess({ name: 'tether-worker', entry: 'worker/main.ts', env: environment, temporalAddress: servers.temporalAddress, taskQueue: accountTaskQueue, logs, cleanup });

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
    })[PLATFORM];
    if (!adapter) throw new Error('no X adapter in sandbox mode');
    const context: PublishContext = {
      options,
      config,
      models,
      store: createCredentialStore(models, config.tokenEncryptionKey),
      client: new Client({ connection, namespace: config.temporal.namespace }),
      sandbox,
      adapter,
      owner: await createOwner(models),
      accountTaskQueue,
      runId,
      progress,
    };

    const setupStarted = Date.now();
    progress(`setup: ${options.accounts} identities for the baseline (consent only), then ${options.accounts} connected accounts (not measured)`);
    const direct = await directAccounts(context, options.accounts);
    await worker.ready;
    const accounts = await connectAccounts(context, options.accounts);
    const setupSec = (Date.now() - setupStarted) / 1000;
    progress(`setup done in ${setupSec.toFixed(1)} s`);

    progress(`baseline: ${options.posts} posts straight through the X adapter, one lane per account`);
    const baseline = await runBaseline(context, direct);
    progress(`  drained in ${baseline.drainSec.toFixed(2)} s (${baseline.postsPerSec.toFixed(1)} posts/s, ${baseline.failures} failed)`);

    const burstBefore = await sandboxTally(context);
    const burstDue = dueInstant(context);
    progress(`burst: scheduling ${options.posts} posts, all due at ${new Date(burstDue).toISOString()}`);
    const burstRound = await scheduleRound(context, 'burst', accounts, burstDue);
    progress(`  scheduled in ${burstRound.schedulingSec.toFixed(1)} s (${burstRound.marginSec.toFixed(1)} s before due); waiting for the queues to drain`);
    const burst = await measureRound(context, burstRound, accounts, burstBefore);
    progress(`  ${burst.measurement.published}/${burst.measurement.posts} published, drained ${burst.measurement.drainSec.toFixed(2)} s after due`);

    let limited: PublishMeasurements['limited'];
    if (options.rateLimit) {
      const before = await sandboxTally(context);
      const due = dueInstant(context);
      const plan = await limitAccounts(context, accounts, due);
      progress(`rate-limited: ${plan.lanes.length} accounts limited until ${new Date(plan.resetAt).toISOString()}; scheduling ${options.posts} posts due at ${new Date(due).toISOString()}`);
      const round = await scheduleRound(context, 'rate-limited', accounts, due);
      progress(`  scheduled in ${round.schedulingSec.toFixed(1)} s (${round.marginSec.toFixed(1)} s before due); waiting for the reset and the drain`);
      const result = await measureRound(context, round, accounts, before, options.limitSec);
      for (const lane of plan.lanes) await sandbox.control.clearFaults(PLATFORM, accounts[lane]!.externalId);
      const rateLimit = measureRateLimit(plan, result.targets, round.dueAt);
      limited = { round: result.measurement, rateLimit };
      progress(`  ${result.measurement.published}/${result.measurement.posts} published; limited accounts done ${rateLimit.lastAfterResetSec.toFixed(2)} s after the reset`);
    }

    const report = buildReport({
      options,
      environment: {
        cpus: availableParallelism(),
        node: process.version,
        database: servers.databaseKind,
        temporal: 'temporal server start-dev (in memory)',
        loadAverage: { start: loadAtStart, end: loadavg()[0] ?? Number.NaN },
      },
      setupSec,
      runtimeSec: (Date.now() - started) / 1000,
      baseline,
      burst: burst.measurement,
      ...(limited ? { limited } : {}),
    });
    const files = writeResults('publish', stamp, report.json, report.markdown);
    process.stdout.write(`\n${report.markdown}\n\nResults: ${files.markdown}\n         ${files.json}\n`);
    for (const problem of report.problems) process.stderr.write(`[bench] FAIL: ${problem}\n`);
    return report.problems.length > 0 ? 1 : 0;
  } finally {
    progress('stopping the worker and servers');
    await cleanup.runAll();
  }
}
