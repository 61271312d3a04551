import { openBenchClients, stackEnvironment, startBenchStack, startTetherWorker } from '../shared/clients.js';
import { runtimeSec, withBenchRun } from '../shared/run.js';
import { startWorkerProcess } from '../shared/stack.js';
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
  return withBenchRun('lifecycle', 'stopping workers and servers', async (run) => {
    const { progress } = run;
    progress(`lifecycle benchmark: ${options.accounts} accounts; logs in ${run.logs.dir}`);
    const stack = await startBenchStack(run, { temporalCliPath: settings.temporalCliPath, accountQueuePrefix: 'bench-accounts' });
    const { sandbox, config } = stack;
    const baselineTaskQueue = `bench-noop-${stack.runId}`;
    const workers = {
      tether: startTetherWorker(run, stack),
      baseline: startWorkerProcess({
        name: 'baseline-worker',
        entry: 'bench/workflows/worker.ts',
        args: ['--address', stack.servers.temporalAddress, '--task-queue', baselineTaskQueue],
        env: {},
        temporalAddress: stack.servers.temporalAddress,
        taskQueue: baselineTaskQueue,
        logs: run.logs,
        cleanup: run.cleanup,
      }),
    };

    const context: LifecycleContext = { ...(await openBenchClients(run, stack, { adapterTimeoutMs: 30_000 })), options, baselineTaskQueue, workers };
    const { models, adapter } = context;

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
    return buildReport({
      options,
      environment: stackEnvironment(stack),
      setupSec,
      starts: { ours: connected.result, baseline: baselineStarts },
      latency: { ours: refreshLatency, baseline: noopLatency },
      memory: { before: memoryBefore, after: memoryAfter, accounts: connected.accounts.length },
      storm,
      totals: { expiredAtEnd, refreshTokenReuse, runtimeSec: runtimeSec(run) },
    });
  });
}
