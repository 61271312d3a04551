import { fileURLToPath } from 'node:url';
import { storeSample } from '../../services/media/intake.js';
import { openBenchClients, stackEnvironment, startBenchStack, startTetherWorker } from '../shared/clients.js';
import { PLATFORM } from '../shared/owner.js';
import { saveProfiles } from '../shared/cpu-profile.js';
import { waitUntilQuiet } from '../shared/quiet.js';
import { loadAverage, runtimeSec, withBenchRun } from '../shared/run.js';
import { summedTallies } from '../shared/db-commands.js';
import { startWorkerProcess } from '../shared/stack.js';
import { runBareTimer } from './bare-timer.js';
import { runBaseline, WARMUP_PER_LANE } from './baseline.js';
import type { PublishContext } from './context.js';
import { measureRound, sandboxTally } from './drain.js';
import { parsePublishOptions } from './options.js';
import { readPair, type BurstPair } from './pairs.js';
import { profileRound } from './profile.js';
import { limitAccounts, measureRateLimit } from './rate-limit.js';
import { buildReport, type PublishMeasurements } from './report.js';
import { dueInstant, scheduleRound } from './schedule.js';
import { connectAccounts, directAccounts, type ConnectedAccount, type DirectAccount } from './setup.js';

/** The direct calls wait until a whole second of the machine stays under this share of one core busy, at most QUIET_TIMEOUT_SEC. */
const QUIET_PERCENT_OF_CORE = 25;
const QUIET_TIMEOUT_SEC = 30;

/** The warm-up round is due this long after its scheduling starts (a post per account schedules in well under a second). */
const WARMUP_LEAD_MS = 5_000;

// `npm run bench -- publish`: our own servers and Tether's worker; M connected X accounts; N posts
// all due at one instant drained through the account workflows' queues, beside the same posts sent
// straight through the X adapter; then the same burst with an image on every post (uploaded to X
// first), and a round with some accounts rate-limited over the due instant.

export async function runPublishBench(argv: string[], settings: { temporalCliPath?: string }): Promise<number> {
  const options = parsePublishOptions(argv);
  return withBenchRun('publish', 'stopping the worker and servers', async (run) => {
    const { progress } = run;
    progress(`publish benchmark: ${options.posts} posts over ${options.accounts} accounts; logs in ${run.logs.dir}`);
    const stack = await startBenchStack(run, { temporalCliPath: settings.temporalCliPath, dbBackend: options.dbBackend, accountQueuePrefix: 'bench-publish' });
    const { sandbox } = stack;
    const worker = await startTetherWorker(run, stack);
    const moreWorkers = await Promise.all(Array.from({ length: options.tetherWorkers - 1 }, (_, i) => startTetherWorker(run, stack, `tether-worker-${i + 2}`)));
    const baselineTaskQueue = `bench-bare-${stack.runId}`;
    const baselineWorker = startWorkerProcess({
      name: 'baseline-worker',
      entry: 'bench/workflows/worker.ts',
      args: ['--address', stack.servers.temporalAddress, '--task-queue', baselineTaskQueue],
      env: {},
      temporalAddress: stack.servers.temporalAddress,
      taskQueue: baselineTaskQueue,
      logs: run.logs,
      cleanup: run.cleanup,
    });
    const processes = {
      database: stack.servers.pids.database,
      temporal: stack.servers.pids.temporal,
      'tether worker': worker.pid,
      ...Object.fromEntries(moreWorkers.map((more) => [more.name.replaceAll('-', ' '), more.pid])),
      sandbox: stack.sandbox.pid,
      'baseline worker': baselineWorker.pid,
      'bench (client)': process.pid,
    };
    const clients = await openBenchClients(run, stack, worker);
    const commands = { ...clients.commands, worker: summedTallies([worker.commands, ...moreWorkers.map((more) => more.commands)]) };
    const context: PublishContext = { ...clients, commands, options, runId: stack.runId, baselineTaskQueue, processes };

    const setupStarted = Date.now();
    progress(`setup: ${options.accounts} identities for the baseline (consent only), then ${options.accounts} connected accounts (not measured)`);
    const direct = await directAccounts(context, options.accounts);
    await Promise.all([worker.ready, baselineWorker.ready, ...moreWorkers.map((more) => more.ready)]);
    const accounts = await connectAccounts(context, options.accounts);
    const setupSec = (Date.now() - setupStarted) / 1000;
    progress(`setup done in ${setupSec.toFixed(1)} s`);

    await settle(context);
    progress(`baseline: ${options.posts} posts straight through the X adapter, one lane per account`);
    const baseline = await runBaseline(context, direct);
    progress(`  drained in ${baseline.drainSec.toFixed(2)} s (${baseline.postsPerSec.toFixed(1)} posts/s, ${baseline.failures} failed)`);

    progress(`warm-up: ${WARMUP_PER_LANE} untimed post(s) per account through Tether, as the baseline's untimed call per account (not measured)`);
    await warmUp(context, accounts);

    const burstBefore = await sandboxTally(context);
    const burstDue = dueInstant(context);
    progress(`burst: scheduling ${options.posts} posts, all due at ${new Date(burstDue).toISOString()}`);
    const burstRound = await scheduleRound(context, 'burst', accounts, burstDue);
    progress(`  scheduled in ${burstRound.schedulingSec.toFixed(1)} s (${burstRound.marginSec.toFixed(1)} s before due); waiting for the queues to drain`);
    if (options.workerProfile) await worker.profiler.start();
    const burst = await measureRound(context, burstRound, accounts, burstBefore);
    if (options.workerProfile) progress(saveProfiles(run.logs.dir, 'worker-burst', await worker.profiler.stop()));
    progress(`  ${burst.measurement.published}/${burst.measurement.posts} published, drained ${burst.measurement.drainSec.toFixed(2)} s after due`);
    const profile = await profileRound(context.client, accounts.map((a) => a.accountId), burstRound.dueAt);
    progress(`  per post: ${profile.activitiesPerPost} activities (${profile.postsPerActivity} posts per publish activity); per publish activity: ${Number.isFinite(profile.gapMs) ? `gap ${profile.gapMs} ms` : 'no gap (one publish activity per account)'}, queue ${profile.activityQueueMs} ms, run ${profile.activityRunMs} ms`);
    const bareDue = dueInstant(context);
    const postsPerRun = Number.isFinite(profile.postsPerActivity) ? Math.max(1, Math.round(profile.postsPerActivity)) : 1;
    progress(`same-shape timer baseline: ${options.posts} posts, ${profile.shape.length} no-op activities per ${postsPerRun} post(s), over ${options.accounts} bare workflows, due at ${new Date(bareDue).toISOString()}`);
    const bareTimer = await runBareTimer(context, profile.shape, bareDue, postsPerRun);
    progress(`  drained ${bareTimer.drainSec.toFixed(2)} s after due; cycle p50 ${bareTimer.cycleMs.p50} ms`);

    const pairs: BurstPair[] = [{ baseline, burst: burst.measurement }];
    for (let pair = 2; pair <= options.bursts; pair++) pairs.push(await repeatBurst(context, direct, accounts, pair));

    let media: PublishMeasurements['media'];
    if (options.media) {
      const image = await storeSample(context.models, fileURLToPath(new URL('../../services/media/samples/sample-photo.jpg', import.meta.url)), new Date());
      const before = await sandboxTally(context);
      const due = dueInstant(context);
      progress(`media: scheduling ${options.posts} posts with an image each, all due at ${new Date(due).toISOString()}`);
      const round = await scheduleRound(context, 'media', accounts, due, [{ ...image, alt: 'A test pattern' }]);
      progress(`  scheduled in ${round.schedulingSec.toFixed(1)} s (${round.marginSec.toFixed(1)} s before due); waiting for the uploads and posts`);
      media = (await measureRound(context, round, accounts, before)).measurement;
      progress(`  ${media.published}/${media.posts} published, drained ${media.drainSec.toFixed(2)} s after due (${media.postsPerSec.toFixed(1)} posts/s beside ${burst.measurement.postsPerSec.toFixed(1)} for text)`);
    }

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

    return buildReport({
      options,
      environment: { ...stackEnvironment(stack), loadAverage: loadAverage(run) },
      setupSec,
      runtimeSec: runtimeSec(run),
      baseline,
      bareTimer,
      profile,
      burst: burst.measurement,
      pairs,
      ...(media ? { media } : {}),
      ...(limited ? { limited } : {}),
    });
  });
}

/** Each round of direct calls starts on a quiet machine, as the first one did after setup: not while the last burst's leftovers run. */
async function settle(context: PublishContext): Promise<void> {
  const reading = await waitUntilQuiet({ maxBusyPercentOfCore: QUIET_PERCENT_OF_CORE, timeoutSec: QUIET_TIMEOUT_SEC });
  const how = `machine ${reading.busyPercentOfCore} % of a core busy after ${reading.waitedSec.toFixed(0)} s`;
  context.progress(reading.quiet ? `  quiet: ${how}` : `  not quiet (${how}); the direct calls run anyway`);
}

/** The direct calls again, then the text burst again: one more pair, read beside the first. */
async function repeatBurst(context: PublishContext, direct: DirectAccount[], accounts: ConnectedAccount[], pair: number): Promise<BurstPair> {
  const { progress, options } = context;
  await settle(context);
  progress(`pair ${pair} of ${options.bursts}: ${options.posts} direct calls, then the text burst again`);
  const baseline = await runBaseline(context, direct, pair);
  const before = await sandboxTally(context);
  const round = await scheduleRound(context, `burst ${pair}`, accounts, dueInstant(context));
  const { measurement } = await measureRound(context, round, accounts, before);
  const reading = readPair({ baseline, burst: measurement });
  progress(`  ${measurement.published}/${measurement.posts} published; cycle p50 ${reading.cycleP50Ms} ms beside one direct call's ${reading.callP50Ms} ms (${reading.ratio.toFixed(2)}×)`);
  return { baseline, burst: measurement };
}

/** Tether's publish path runs once per account before the timed rounds, as the baseline's adapter does: neither is measured cold. */
async function warmUp(context: PublishContext, accounts: ConnectedAccount[]): Promise<void> {
  const before = await sandboxTally(context);
  const round = await scheduleRound(context, 'warm-up', accounts, Date.now() + WARMUP_LEAD_MS, [], WARMUP_PER_LANE * accounts.length);
  const { measurement } = await measureRound(context, round, accounts, before);
  if (measurement.published !== measurement.posts) throw new Error(`warm-up: ${measurement.published} of ${measurement.posts} posts published`);
}
