import { accountWorkflowId, refreshNowUpdate } from '../../workflows/account/messages.js';
import { openBenchClients, stackEnvironment, startBenchStack, startTetherWorker } from '../shared/clients.js';
import { countOneByOne } from '../shared/counted.js';
import { cpuBetween, cpuSnapshot, describeCpu } from '../shared/cpu.js';
import { saveProfiles } from '../shared/cpu-profile.js';
import { profileUpdate, shapeOfUpdate, spread } from '../shared/profile.js';
import type { PoolResult } from '../shared/pool.js';
import { mib, processMemory } from '../shared/memory.js';
import { loadAverage, runtimeSec, withBenchRun } from '../shared/run.js';
import { startWorkerProcess } from '../shared/stack.js';
import { freePort } from '../../tools/process.js';
import { mirrorWorkflowId, shapedWorkflowId } from '../workflows/messages.js';
import type { LifecycleContext } from './context.js';
import { readWorkerMemory } from './memory.js';
import { parseLifecycleOptions } from './options.js';
import { measureDatabaseFloor } from './database-floor.js';
import { buildReport, type LifecycleMeasurements } from './report.js';
import { consentAll, createIdentities } from './setup.js';
import { connectAccounts, connectOne, startBareWorkflows, startMirrorWorkflows, startShapedWorkflows, throughputOf, type ConnectedAccount } from './start-throughput.js';
import { runStorm } from './storm.js';
import { timeNoopUpdates, timeRefreshNow, timeShapedUpdates } from './update-latency.js';

// `npm run bench -- lifecycle`: our own servers and workers, N accounts through the real connect
// path beside bare workflows of the same shape, then update latency, worker memory at two sizes,
// where the time goes, and a renewal storm.

/** Accounts consented (unmeasured) right before they connect, at a time. */
const CONSENT_CHUNK = 1000;
/** Rounds of the database's floor for refreshNow's commands (database-floor.ts). */
const FLOOR_ROUNDS = 50;

export async function runLifecycleBench(argv: string[], settings: { temporalCliPath?: string }): Promise<number> {
  const options = parseLifecycleOptions(argv);
  return withBenchRun('lifecycle', 'stopping workers and servers', async (run) => {
    const { progress } = run;
    progress(`lifecycle benchmark: ${options.accounts} accounts; logs in ${run.logs.dir}`);
    const stack = await startBenchStack(run, {
      temporalCliPath: settings.temporalCliPath,
      dbBackend: options.dbBackend,
      accountQueuePrefix: 'bench-accounts',
      extraEnvironment: { TEMPORAL_MAX_CACHED_WORKFLOWS: String(options.maxCachedWorkflows) },
    });
    const { sandbox, config } = stack;
    const baselineTaskQueue = `bench-bare-${stack.runId}`;
    const tether = await startTetherWorker(run, stack);
    const baselineMetricsPort = await freePort();
    const baselineControlPort = await freePort();
    const workers = {
      tether,
      baseline: startWorkerProcess({
        name: 'baseline-worker',
        entry: 'bench/workflows/worker.ts',
        args: [
          '--address', stack.servers.temporalAddress,
          '--task-queue', baselineTaskQueue,
          // No rate limit on the second queue: Tether's renewal queue has none either (its pacing is Tether's own work).
          '--max-cached-workflows', String(options.maxCachedWorkflows),
          '--metrics-port', String(baselineMetricsPort),
          '--control-port', String(baselineControlPort),
        ],
        env: {},
        temporalAddress: stack.servers.temporalAddress,
        taskQueue: baselineTaskQueue,
        logs: run.logs,
        cleanup: run.cleanup,
      }),
    };
    // Whose CPU each chunk of connects used: the connect path runs in the worker and, for its dashboard part, in this process.
    const processes = {
      'tether worker': tether.pid,
      'bench (dashboard part)': process.pid,
      temporal: stack.servers.pids.temporal,
      database: stack.servers.pids.database,
      sandbox: stack.sandbox.pid,
      'baseline worker': workers.baseline.pid,
    };
    const context: LifecycleContext = { ...(await openBenchClients(run, stack, tether, { adapterTimeoutMs: 30_000 })), options, baselineTaskQueue, workers, baselineMetricsPort, baselineControlPort };
    const { models, adapter, client } = context;

    let setupMs = 0;
    const unmeasured = async <T>(work: () => Promise<T>): Promise<T> => {
      const started = Date.now();
      try {
        return await work();
      } finally {
        setupMs += Date.now() - started;
      }
    };
    // The last few identities connect after everyone else, counted one at a time again: the cost of
    // one action with N accounts stored, against the same count with none.
    progress(`setup: ${options.accounts + options.countedSamples} sandbox identities (not measured)`);
    const identityIds = await unmeasured(() => createIdentities(sandbox.control, options.accounts + options.countedSamples, options.setupConcurrency, progress));
    // Consents run just before their accounts connect (a chunk at a time, not measured): a token
    // consented long before its connect could expire first, which no user's connect does.
    const consentChunk = (from: number, to: number) => unmeasured(() => consentAll(adapter, config, identityIds.slice(from, to), options.setupConcurrency, progress));
    progress('waiting for both workers (they bundle their workflows at start)');
    await Promise.all([workers.tether.ready, workers.baseline.ready]);

    progress(`counting ${options.countedSamples} connects and ${options.countedSamples} refreshNow updates one at a time`);
    const countedConnects = await countOneByOne(context, await consentChunk(0, options.countedSamples), (one) => connectOne(context, one));
    const refreshOneByOne = (accounts: ConnectedAccount[]) =>
      countOneByOne(context, accounts, (account) => client.workflow.getHandle(accountWorkflowId(account.accountId)).executeUpdate(refreshNowUpdate));
    const countedRefreshes = await refreshOneByOne(countedConnects.results);
    const first = accountWorkflowId(countedConnects.results[0]!.accountId);
    const shapes = { connect: await shapeOfUpdate(client, first, 'reconnect'), refreshNow: await shapeOfUpdate(client, first, 'refreshNow') };
    progress(`  connect: ${shapes.connect.activities.join(' → ')}; refreshNow: ${shapes.refreshNow.activities.join(' → ')}`);
    const mirrorShapes = { connect: shapes.connect.shape, refreshNow: shapes.refreshNow.shape };
    await unmeasured(() => startMirrorWorkflows(context, 0, options.countedSamples, mirrorShapes));

    const bareCpuBefore = cpuSnapshot(processes);
    const bare = await startBareWorkflows(context, Math.min(options.accounts, 1000));
    const bareCpu = cpuBetween(bareCpuBefore, cpuSnapshot(processes));
    progress(`bare update-with-start (no-op update), ${bare.count}: ${bare.perSecond.toFixed(1)}/s; ${describeCpu(bareCpu, { count: bare.count, unit: 'start' })}`);

    const memoryBefore = await readWorkerMemory(context);
    progress(`workers idle: Tether ${memoryBefore.tether.rssMiB} MiB (${memoryBefore.tether.rssAfterGcMiB} after a full GC), baseline ${memoryBefore.baseline.rssMiB} MiB (${memoryBefore.baseline.rssAfterGcMiB})`);

    // Stages end at the memory checkpoint (if below N) and at N; worker memory is read after each.
    const stageEnds = [...new Set([Math.min(options.memoryCheckpoint, options.accounts), options.accounts])];
    const shapedStages: PoolResult<unknown>[] = [];
    const connectStages: PoolResult<ConnectedAccount>[] = [];
    const connected: ConnectedAccount[] = [...countedConnects.results];
    const checkpoints: LifecycleMeasurements['memory']['checkpoints'] = [];
    const trajectory: LifecycleMeasurements['trajectory'] = [];
    let shapedSoFar = 0;
    for (const end of stageEnds) {
      progress(`phase 1: same-shape baseline starts ${shapedSoFar}..${end}, then connects ${connected.length}..${end}`);
      const shaped = await startShapedWorkflows(context, shapedSoFar, end, shapes.connect.shape);
      shapedStages.push(shaped);
      shapedSoFar = end;
      const stageFrom = connected.length;
      for (let from = stageFrom; from < end; from += CONSENT_CHUNK) {
        const to = Math.min(end, from + CONSENT_CHUNK);
        const consents = await consentChunk(from, to);
        const profileThis = options.workerProfile && (connectStages.length === 0 || to === options.accounts);
        if (profileThis) await tether.profiler.start();
        const cpuBefore = cpuSnapshot(processes);
        const connects = await connectAccounts(context, consents, `${from}..${to}`);
        const cpu = cpuBetween(cpuBefore, cpuSnapshot(processes));
        if (profileThis) progress(saveProfiles(run.logs.dir, `worker-connects-${from}`, await tether.profiler.stop()));
        connectStages.push(connects);
        connected.push(...connects.results.filter((a): a is ConnectedAccount => a !== undefined));
        const point = {
          accounts: connected.length,
          connects: connects.latenciesMs.length,
          connectsPerSecond: connects.latenciesMs.length / (connects.elapsedMs / 1000),
          tetherRssMiB: mib(processMemory(tether.pid).rssBytes),
          cpu,
        };
        trajectory.push(point);
        progress(`  ${point.accounts} connected: this chunk ${point.connectsPerSecond.toFixed(2)}/s, Tether worker ${point.tetherRssMiB} MiB; ${describeCpu(cpu, { count: point.connects, unit: 'connect' })}`);
      }
      const stage = throughputOf(connectStages.slice(-Math.ceil((end - stageFrom) / CONSENT_CHUNK)), options.window, options.concurrency);
      progress(`  same shape ${(shaped.latenciesMs.length / (shaped.elapsedMs / 1000)).toFixed(1)}/s; Tether ${stage.perSecond.toFixed(1)}/s (${stage.failures} failed)`);
      const reading = await readWorkerMemory(context);
      checkpoints.push({ accounts: connected.length, reading });
      progress(`  with ${connected.length} idle accounts: Tether ${reading.tether.rssMiB} MiB (${reading.tether.rssAfterGcMiB} after a full GC), baseline ${reading.baseline.rssMiB} MiB (${reading.baseline.rssAfterGcMiB})`);
    }
    progress(`counting ${options.countedSamples} more connects and refreshNow updates one at a time, with ${connected.length} accounts stored`);
    const lateConnects = await countOneByOne(context, await consentChunk(options.accounts, options.accounts + options.countedSamples), (one) => connectOne(context, one));
    const lateRefreshes = await refreshOneByOne(lateConnects.results);
    await unmeasured(() => startMirrorWorkflows(context, options.countedSamples, 2 * options.countedSamples, mirrorShapes));
    const starts = { ours: throughputOf(connectStages, options.window, options.concurrency), shaped: throughputOf(shapedStages, options.window, options.concurrency), bare, bareCpu };
    const setupSec = setupMs / 1000;

    const samples = Math.min(options.latencySamples, connected.length);
    progress(`phase 2: ${samples} each of same-shape, no-op and refreshNow updates, ${options.latencyRate} started per second`);
    // Each kind updates the workflows connected first (the least recently used): the accounts
    // connected one at a time, then the others in order, and their same-shape mirrors alike. The
    // same-shape kind goes before the no-op one, which would otherwise bring its workflows into a
    // cache that holds fewer workflows than the worker has (refreshNow's accounts get no such help).
    const sampled = connected.slice(0, samples).map((a) => a.accountId);
    const baselineSampled = [
      ...Array.from({ length: Math.min(samples, options.countedSamples) }, (_, i) => mirrorWorkflowId(i)),
      ...Array.from({ length: Math.max(0, samples - options.countedSamples) }, (_, i) => shapedWorkflowId(i)),
    ];
    const shaped = await timeShapedUpdates(context, baselineSampled, shapes.refreshNow.shape);
    const noop = await timeNoopUpdates(context, baselineSampled);
    if (options.workerProfile) await tether.profiler.start();
    const refreshNow = await timeRefreshNow(context, sampled);
    if (options.workerProfile) progress(saveProfiles(run.logs.dir, 'worker-refresh-now', await tether.profiler.stop()));
    progress(`  p50: no-op ${noop.latencyMs.p50} ms, same shape ${shaped.latencyMs.p50} ms, refreshNow ${refreshNow.latencyMs.p50} ms`);
    const databaseFloor = await measureDatabaseFloor(models, { commands: refreshNow.perUpdate?.databaseCommands ?? 0, rounds: FLOOR_ROUNDS, perSecond: options.latencyRate });
    progress(`  ${databaseFloor.commands} database pings back to back, p50 ${databaseFloor.roundMs.p50} ms`);

    progress(`profiles: reading ${options.profileSamples} histories per operation`);
    const lastStage = connectStages.at(-1)?.results.filter((a): a is ConnectedAccount => a !== undefined) ?? [];
    const profiledConnects = spread(lastStage, options.profileSamples);
    const profiles = {
      connect: await profileUpdate(client, profiledConnects.map((a) => accountWorkflowId(a.accountId)), 'reconnect', 'first'),
      connectBaseline: await profileUpdate(client, spread(Array.from({ length: shapedSoFar }, (_, i) => shapedWorkflowId(i)), options.profileSamples), 'shaped', 'first'),
      connectCallMs: profiledConnects.reduce((sum, a) => sum + a.connectMs, 0) / Math.max(1, profiledConnects.length),
      refreshNow: await profileUpdate(client, spread(sampled, options.profileSamples).map(accountWorkflowId), 'refreshNow', 'last'),
      refreshBaseline: await profileUpdate(client, spread(baselineSampled, options.profileSamples), 'shaped', 'last'),
    };

    // The storm's connect wave also runs a consent per account: allow half as fast again as phase 1.
    const estimatedWaveSec = (1.5 * options.stormAccounts) / Math.max(1, starts.ours.perSecond);
    // A storm that breaks down still leaves every earlier figure reported, with the reason.
    let stormError: string | undefined;
    if (options.storm && options.stormWorkers > 1) {
      progress(`storm: starting ${options.stormWorkers - 1} more Tether worker processes`);
      const more = await Promise.all(Array.from({ length: options.stormWorkers - 1 }, (_, i) => startTetherWorker(run, stack, `tether-worker-${i + 2}`)));
      await Promise.all(more.map((worker) => worker.ready));
    }
    const storm = options.storm
      ? await runStorm(context, options.stormAccounts, estimatedWaveSec).catch((error: unknown) => {
          stormError = error instanceof Error ? error.message : String(error);
          return undefined;
        })
      : undefined;

    const expiredAtEnd = await models.Account.countDocuments({ 'status.state': 'expired' });
    const { refreshTokenReuse } = await sandbox.control.counters();
    return buildReport({
      options,
      environment: { ...stackEnvironment(stack), loadAverage: loadAverage(run) },
      setupSec,
      shapes,
      counted: { connect: countedConnects.counted, refreshNow: countedRefreshes.counted },
      countedLate: { connect: lateConnects.counted, refreshNow: lateRefreshes.counted },
      starts,
      latency: { refreshNow, shaped, noop },
      databaseFloor,
      memory: { before: memoryBefore, checkpoints },
      trajectory,
      profiles,
      storm,
      ...(stormError ? { stormError } : {}),
      totals: { accounts: connected.length, expiredAtEnd, refreshTokenReuse, runtimeSec: runtimeSec(run) },
    });
  });
}
