import type { CountedOperation } from '../shared/counted.js';
import { cpuMsPer, type CpuSplit } from '../shared/cpu.js';
import type { Breakdown } from '../shared/history.js';
import type { UpdateProfile } from '../shared/profile.js';
import { formatValue, markdownTable, type Row } from '../shared/report.js';
import type { ActivityShape } from '../workflows/messages.js';
import type { MemoryReading } from './memory.js';
import type { LifecycleOptions } from './options.js';
import type { ThroughputResult } from './start-throughput.js';
import type { StormResult } from './storm.js';
import type { DatabaseFloor } from './database-floor.js';
import type { LatencyResult } from './update-latency.js';
import { meanMs, type SdkMetrics } from '../shared/sdk-metrics.js';

// The lifecycle benchmark's JSON, its markdown tables, and the problems that fail the run.

export interface ShapeReading {
  shape: ActivityShape;
  activities: string[];
}

export interface TrajectoryPoint {
  accounts: number;
  connects?: number;
  connectsPerSecond: number;
  tetherRssMiB: number;
  cpu?: CpuSplit;
}

/** CPU ms per connect of each process over one chunk; undefined for runs before this was read. */
export function cpuPerConnect(point: TrajectoryPoint): Record<string, number> | undefined {
  const { cpu, connects } = point;
  if (!cpu || !connects) return undefined;
  return cpuMsPer(cpu.processes, connects);
}

/** CPU over a stretch of starts: ms per start of each process, and how busy the machine was. */
export interface CpuPerStart {
  starts: number;
  msPerStart: Record<string, number>;
  machineBusyPercentOfCore: number;
  cores: number;
}

/** Every chunk of connects together; undefined for runs before the chunks' CPU was read. */
export function connectCpu(trajectory: TrajectoryPoint[]): CpuPerStart | undefined {
  const chunks = trajectory.filter((t): t is TrajectoryPoint & { cpu: CpuSplit; connects: number } => t.cpu !== undefined && (t.connects ?? 0) > 0);
  if (chunks.length === 0) return undefined;
  const starts = chunks.reduce((sum, t) => sum + t.connects, 0);
  const wallSec = chunks.reduce((sum, t) => sum + t.cpu.wallSec, 0);
  const processes: Record<string, { cpuSec: number }> = {};
  for (const t of chunks) for (const [name, p] of Object.entries(t.cpu.processes)) processes[name] = { cpuSec: (processes[name]?.cpuSec ?? 0) + p.cpuSec };
  const busyPercent = chunks.reduce((sum, t) => sum + t.cpu.machineBusyPercentOfCore * t.cpu.wallSec, 0) / wallSec;
  return { starts, msPerStart: cpuMsPer(processes, starts), machineBusyPercentOfCore: busyPercent, cores: chunks[0]!.cpu.cores };
}

/** The bare update-with-start sample's CPU; undefined for runs before it was read. */
export function bareStartCpu(starts: LifecycleMeasurements['starts']): CpuPerStart | undefined {
  const { bare, bareCpu } = starts;
  if (!bareCpu || bare.count === 0) return undefined;
  return {
    starts: bare.count,
    msPerStart: cpuMsPer(bareCpu.processes, bare.count),
    machineBusyPercentOfCore: bareCpu.machineBusyPercentOfCore,
    cores: bareCpu.cores,
  };
}

export const totalMs = (cpu: CpuPerStart): number => Object.values(cpu.msPerStart).reduce((sum, ms) => sum + ms, 0);

export interface LifecycleMeasurements {
  options: LifecycleOptions;
  environment: { cpus: number; node: string; database: string; temporal: string; loadAverage: { start: number; end: number } };
  setupSec: number;
  /** The activities a connect and a refreshNow ran (from account 0's history): the baselines' shapes. */
  shapes: { connect: ShapeReading; refreshNow: ShapeReading };
  /** Connects and refreshNow updates run one at a time, each counted alone. */
  counted: { connect: CountedOperation; refreshNow: CountedOperation };
  /** The same, counted again after every account connected: the cost of one action with N accounts stored. */
  countedLate: { connect: CountedOperation; refreshNow: CountedOperation };
  /** `bareCpu`: whose CPU the bare update-with-start sample used (runs before this was read lack it). */
  starts: { ours: ThroughputResult; shaped: ThroughputResult; bare: ThroughputResult; bareCpu?: CpuSplit };
  latency: { refreshNow: LatencyResult; shaped: LatencyResult; noop: LatencyResult };
  databaseFloor: DatabaseFloor;
  memory: { before: MemoryReading; checkpoints: { accounts: number; reading: MemoryReading }[] };
  /**
   * After each chunk of connects: accounts connected, that chunk's connect rate, Tether's worker RSS
   * (not settled), and whose CPU the chunk used (runs before this reading lack `connects` and `cpu`).
   */
  trajectory: TrajectoryPoint[];
  profiles: {
    connect: UpdateProfile;
    connectBaseline: UpdateProfile;
    /** Mean completeConnection time of the profiled accounts, as the caller saw it. */
    connectCallMs: number;
    refreshNow: UpdateProfile;
    refreshBaseline: UpdateProfile;
  };
  storm?: StormResult;
  /** Why the storm stopped before it measured anything. */
  stormError?: string;
  totals: { accounts: number; expiredAtEnd: number; refreshTokenReuse: number; runtimeSec: number };
}

export function problemsOf(m: LifecycleMeasurements): string[] {
  const problems: string[] = [];
  if (m.totals.expiredAtEnd > 0 || (m.storm?.falseExpirations ?? 0) > 0) {
    problems.push(`false expirations: ${Math.max(m.totals.expiredAtEnd, m.storm?.falseExpirations ?? 0)} accounts show "expired"`);
  }
  if (m.totals.refreshTokenReuse > 0) problems.push(`the sandbox saw ${m.totals.refreshTokenReuse} reuses of rotated-away refresh tokens`);
  if (m.starts.ours.failures > 0) problems.push(`${m.starts.ours.failures} connects failed (${m.starts.ours.firstError ?? ''})`);
  for (const [name, result] of [['same-shape baseline starts', m.starts.shaped], ['bare starts', m.starts.bare]] as const) {
    if (result.failures > 0) problems.push(`${result.failures} ${name} failed (${result.firstError ?? ''})`);
  }
  if (m.latency.refreshNow.failures > 0) problems.push(`${m.latency.refreshNow.failures} refreshNow updates failed (${m.latency.refreshNow.firstError ?? ''})`);
  if (m.latency.shaped.failures + m.latency.noop.failures > 0) problems.push(`${m.latency.shaped.failures + m.latency.noop.failures} baseline updates failed`);
  if (m.stormError) problems.push(`storm: ${m.stormError}`);
  if (m.storm && m.storm.setupFailures > 0) problems.push(`storm setup: ${m.storm.setupFailures} connects failed (${m.storm.setupFirstError ?? ''})`);
  if (m.storm && !m.storm.completed) problems.push(`storm: only ${m.storm.checked} of ${m.storm.accounts} accounts checked before the timeout`);
  if (m.storm && m.storm.refreshTokenReuse > 0) problems.push(`storm: ${m.storm.refreshTokenReuse} refresh-token reuses`);
  return problems;
}

const shapeText = (reading: ShapeReading) => reading.activities.map((name, i) => `${name}${reading.shape[i] === 'second' ? ' (renewal queue)' : ''}`).join(' → ');

/** Per database command of an operation: mean time with no accounts stored and with N (the driver's view: server time plus the wait for a pooled connection). */
function growthRows(label: string, early: CountedOperation, late: CountedOperation): Row[] {
  const rows: Row[] = [];
  for (const side of ['clientByCommand', 'workerByCommand'] as const) {
    for (const [key, late1] of Object.entries(late.databaseCommands[side])) {
      const early1 = early.databaseCommands[side][key];
      if (!early1 || late1.count === 0) continue;
      rows.push({ metric: `${label}, ${side === 'clientByCommand' ? 'web' : 'worker'}: ${key} (${formatValue(late1.count)} per ${label.toLowerCase()})`, ours: late1.ms / late1.count, baseline: early1.ms / early1.count, unit: 'ms per command' });
    }
  }
  return rows.sort((a, b) => (b.ours as number) / (b.baseline ?? 1) - (a.ours as number) / (a.baseline ?? 1));
}

function breakdownRows(label: string, ours: Breakdown, baseline: Breakdown): Row[] {
  return [
    { metric: `${label}: server-side, update delivered → completed`, ours: ours.totalMs, baseline: baseline.totalMs, unit: 'ms' },
    { metric: `${label}: activities waiting in their queue (scheduled → started)`, ours: ours.activityQueueMs, baseline: baseline.activityQueueMs, unit: 'ms' },
    { metric: `${label}: activities running (started → completed)`, ours: ours.activityRunMs, baseline: baseline.activityRunMs, unit: 'ms' },
    { metric: `${label}: workflow tasks waiting for the worker`, ours: ours.workflowTaskQueueMs, baseline: baseline.workflowTaskQueueMs, unit: 'ms' },
    { metric: `${label}: workflow tasks running (workflow code)`, ours: ours.workflowTaskRunMs, baseline: baseline.workflowTaskRunMs, unit: 'ms' },
    { metric: `${label}: activities / workflow tasks`, ours: `${formatValue(ours.activities)} / ${formatValue(ours.workflowTasks)}`, baseline: undefined, unit: `bare: ${formatValue(baseline.activities)} / ${formatValue(baseline.workflowTasks)}` },
  ];
}

const perActivity = (profile: UpdateProfile) =>
  Object.entries(profile.breakdown.byActivity)
    .map(([name, e]) => `${name} ${formatValue(e.queueMs)} + ${formatValue(e.runMs)} ms`)
    .join('; ');

const topCommands = (counted: CountedOperation['databaseCommands']['workerByCommand'], n = 6) =>
  Object.entries(counted)
    .slice(0, n)
    .map(([key, c]) => `${key} ${formatValue(c.count)}`)
    .join(', ');

export function buildReport(m: LifecycleMeasurements): { json: unknown; markdown: string; problems: string[] } {
  const { starts, latency, memory, storm, counted, profiles, options } = m;
  const n = m.totals.accounts;
  const checkpoint = memory.checkpoints[0];
  const last = memory.checkpoints.at(-1);

  const overhead: Row[] = [
    { metric: `Connect throughput (${starts.ours.count} connects, ${options.concurrency} in flight) vs same-shape update-with-start`, ours: starts.ours.perSecond, baseline: starts.shaped.perSecond, unit: 'per s', ratio: 'baseline/ours' },
    { metric: `Connect throughput vs bare update-with-start, no-op update (${starts.bare.count} starts)`, ours: starts.ours.perSecond, baseline: starts.bare.perSecond, unit: 'per s', ratio: 'baseline/ours' },
    { metric: 'Connect call latency p50 (vs same shape)', ours: starts.ours.latencyMs.p50, baseline: starts.shaped.latencyMs.p50, unit: 'ms' },
    { metric: 'Connect call latency p95 (vs same shape)', ours: starts.ours.latencyMs.p95, baseline: starts.shaped.latencyMs.p95, unit: 'ms' },
    { metric: `refreshNow p50 vs same-shape update (${latency.refreshNow.latencyMs.count} samples, ${options.latencyRate} started per second)`, ours: latency.refreshNow.latencyMs.p50, baseline: latency.shaped.latencyMs.p50, unit: 'ms' },
    { metric: 'refreshNow p95 vs same-shape update', ours: latency.refreshNow.latencyMs.p95, baseline: latency.shaped.latencyMs.p95, unit: 'ms' },
    { metric: 'refreshNow p50 vs no-op update', ours: latency.refreshNow.latencyMs.p50, baseline: latency.noop.latencyMs.p50, unit: 'ms' },
    { metric: 'refreshNow p95 vs no-op update', ours: latency.refreshNow.latencyMs.p95, baseline: latency.noop.latencyMs.p95, unit: 'ms' },
    { metric: 'Same-shape update p50 vs no-op update (what the activities alone cost)', ours: latency.shaped.latencyMs.p50, baseline: latency.noop.latencyMs.p50, unit: 'ms' },
  ];

  const scaling: Row[] = [
    { metric: `Connect throughput: last ${starts.ours.window} of ${n} vs first ${starts.ours.window} (steady: without the first and last ${options.concurrency} of a pool)`, ours: starts.ours.lastWindowPerSecond, baseline: starts.ours.firstWindowPerSecond, unit: 'per s' },
    { metric: `Same-shape start throughput: last ${starts.shaped.window} vs first ${starts.shaped.window}`, ours: starts.shaped.lastWindowPerSecond, baseline: starts.shaped.firstWindowPerSecond, unit: 'per s' },
  ];
  if (checkpoint && last && checkpoint !== last) {
    scaling.push(
      { metric: `Tether worker RSS, ${last.accounts} idle accounts vs ${checkpoint.accounts}`, ours: last.reading.tether.rssMiB, baseline: checkpoint.reading.tether.rssMiB, unit: 'MiB' },
      { metric: `Baseline worker RSS, ${last.accounts} idle workflows vs ${checkpoint.accounts}`, ours: last.reading.baseline.rssMiB, baseline: checkpoint.reading.baseline.rssMiB, unit: 'MiB' },
    );
    const afterGc = (reading: MemoryReading, worker: 'tether' | 'baseline') => reading[worker].rssAfterGcMiB ?? Number.NaN;
    if (last.reading.tether.rssAfterGcMiB !== undefined) {
      scaling.push(
        { metric: `Tether worker RSS after a full garbage collection, ${last.accounts} idle accounts vs ${checkpoint.accounts}`, ours: afterGc(last.reading, 'tether'), baseline: afterGc(checkpoint.reading, 'tether'), unit: 'MiB' },
        { metric: `Baseline worker RSS after a full garbage collection, ${last.accounts} idle workflows vs ${checkpoint.accounts}`, ours: afterGc(last.reading, 'baseline'), baseline: afterGc(checkpoint.reading, 'baseline'), unit: 'MiB' },
      );
    }
  }
  const memoryRows: Row[] = [
    { metric: 'Worker RSS, no workflows', ours: memory.before.tether.rssMiB, baseline: memory.before.baseline.rssMiB, unit: 'MiB' },
    ...memory.checkpoints.map((c) => ({ metric: `Worker RSS, ${c.accounts} idle workflows (peak so far)`, ours: `${formatValue(c.reading.tether.rssMiB)} (${formatValue(c.reading.tether.peakRssMiB)})`, baseline: c.reading.baseline.rssMiB, unit: 'MiB' })),
    ...[memory.before, ...memory.checkpoints.map((c) => c.reading)].flatMap((reading, i) =>
      reading.tether.rssAfterGcMiB === undefined
        ? []
        : [{ metric: `Worker RSS after a full garbage collection, ${i === 0 ? 'no workflows' : `${memory.checkpoints[i - 1]!.accounts} idle workflows`}`, ours: reading.tether.rssAfterGcMiB, baseline: reading.baseline.rssAfterGcMiB ?? Number.NaN, unit: 'MiB' }],
    ),
  ];
  if (last) {
    const per = (reading: 'tether' | 'baseline') => ((last.reading[reading].rssMiB - memory.before[reading].rssMiB) * 1024) / Math.max(1, last.accounts);
    memoryRows.push({ metric: `Worker RSS per idle workflow at ${last.accounts} (cache ${options.maxCachedWorkflows})`, ours: per('tether'), baseline: per('baseline'), unit: 'KiB' });
  }

  const cost: Row[] = [
    { metric: 'Connect: activities in the update', ours: counted.connect.samples ? m.shapes.connect.activities.length : Number.NaN, unit: shapeText(m.shapes.connect) },
    { metric: 'Connect: database commands (web part + worker)', ours: `${formatValue(counted.connect.databaseCommands.total)} (${formatValue(counted.connect.databaseCommands.client)} + ${formatValue(counted.connect.databaseCommands.worker)})`, unit: 'commands' },
    { metric: 'Connect: platform calls by the workflow', ours: counted.connect.platformCalls.total, unit: 'calls' },
    { metric: 'refreshNow: activities in the update', ours: m.shapes.refreshNow.activities.length, unit: shapeText(m.shapes.refreshNow) },
    { metric: 'refreshNow: database commands (worker)', ours: counted.refreshNow.databaseCommands.worker, unit: 'commands' },
    { metric: 'refreshNow: platform calls', ours: counted.refreshNow.platformCalls.total, unit: 'calls' },
    { metric: `Counted alone (${counted.connect.samples} each): connect / refreshNow latency p50`, ours: `${formatValue(counted.connect.latencyMs.p50)} / ${formatValue(counted.refreshNow.latencyMs.p50)}`, unit: 'ms' },
  ];

  const time: Row[] = [
    ...breakdownRows(`Connect (${profiles.connect.samples} histories)`, profiles.connect.breakdown, profiles.connectBaseline.breakdown),
    { metric: 'Connect: completeConnection as the caller saw it (the rest is the web part: account upsert, tokens stored, RPCs)', ours: profiles.connectCallMs, unit: 'ms' },
    ...breakdownRows(`refreshNow (${profiles.refreshNow.samples} histories)`, profiles.refreshNow.breakdown, profiles.refreshBaseline.breakdown),
  ];
  const perUpdate = latency.refreshNow.perUpdate;
  if (perUpdate) {
    time.push(
      { metric: 'refreshNow: database commands and their time, per update', ours: `${formatValue(perUpdate.databaseCommands)} / ${formatValue(perUpdate.databaseMs)} ms`, unit: '' },
      { metric: 'refreshNow: platform calls and the sandbox\'s time to answer, per update', ours: `${formatValue(perUpdate.platformCalls)} / ${formatValue(perUpdate.platformMs)} ms`, unit: '' },
      ...floorRows(m.databaseFloor, perUpdate, latency.shaped.latencyMs.p50),
    );
  }

  const kinds = [latency.refreshNow, latency.shaped, latency.noop];
  const perKind = (text: (sdk: SdkMetrics) => string) => kinds.map((result) => (result.workflowWorker ? text(result.workflowWorker) : '–')).join(' · ');
  time.push(
    { metric: `Workflow cache hits / misses over the timed updates (cache ${options.maxCachedWorkflows} per worker): refreshNow · same shape · no-op`, ours: perKind((sdk) => `${sdk.cacheHits} / ${sdk.cacheMisses}`), unit: '' },
    {
      metric: 'Workflow tasks inside the worker, mean (received → completion sent, a missed history\'s fetch and replay included): refreshNow · same shape · no-op',
      ours: perKind((sdk) => `${formatValue(meanMs(sdk.workflowTasks))} ms × ${sdk.workflowTasks.count}`),
      unit: '',
    },
  );

  const lines = [
    `## Lifecycle benchmark — ${n} accounts`,
    '',
    `${m.environment.cpus} CPUs, Node ${m.environment.node}, ${m.environment.temporal}, ${m.environment.database}; ` +
      `setup (identities + consent, not measured) ${m.setupSec.toFixed(1)} s; whole run ${m.totals.runtimeSec.toFixed(0)} s; ` +
      `1-minute load average ${m.environment.loadAverage.start.toFixed(2)} at the start, ${m.environment.loadAverage.end.toFixed(2)} at the end; workflow cache ${options.maxCachedWorkflows} in both workers.`,
    '',
    '### Overhead over same-shape bare workflows',
    '',
    markdownTable(overhead, { ours: 'Tether', baseline: 'Bare' }),
    '',
    `Same shape: the bare update runs, as no-op activities on the same queues, what Tether's ran (read from this run's histories): connect ${shapeText(m.shapes.connect)}; refreshNow ${shapeText(m.shapes.refreshNow)}.`,
    'Ratios: throughput is bare/Tether (how many times slower); latency is Tether/bare.',
    '',
    '### Scaling within the run',
    '',
    markdownTable(scaling, { ours: 'Later / larger', baseline: 'Earlier / smaller' }),
    '',
    'Ratio later/earlier: throughput targets ≥ 0.8, memory ≤ 1.5.',
    '',
    markdownTable(memoryRows, { ours: 'Tether worker', baseline: 'Baseline worker' }),
    '',
    ...(m.trajectory.length > 1 ? trajectoryTable(m.trajectory) : []),
    ...startCpuTable(m),
    '### Cost per operation (each counted alone)',
    '',
    markdownTable(cost, { ours: 'Count', baseline: '' }),
    '',
    `Connect, web part: ${topCommands(counted.connect.databaseCommands.clientByCommand)}. Connect, worker: ${topCommands(counted.connect.databaseCommands.workerByCommand)}. refreshNow, worker: ${topCommands(counted.refreshNow.databaseCommands.workerByCommand, 10)}.`,
    '',
    `### Does one action cost more with ${n} accounts stored? (each counted alone, at the start and after all connects)`,
    '',
    markdownTable(
      [
        { metric: 'Connect latency p50', ours: m.countedLate.connect.latencyMs.p50, baseline: counted.connect.latencyMs.p50, unit: 'ms' },
        { metric: 'refreshNow latency p50', ours: m.countedLate.refreshNow.latencyMs.p50, baseline: counted.refreshNow.latencyMs.p50, unit: 'ms' },
        ...growthRows('Connect', counted.connect, m.countedLate.connect),
        ...growthRows('refreshNow', counted.refreshNow, m.countedLate.refreshNow),
      ],
      { ours: `${n} stored`, baseline: 'none stored' },
    ),
    '',
    'Mean time per command as the driver saw it (server time plus any wait for a pooled connection). Counts per operation come from the first sample: once accounts start renewing on their own, the later sample also holds their commands.',
    '',
    '### Where the time goes (mean per operation, from histories and command monitoring)',
    '',
    markdownTable(time, { ours: 'Tether', baseline: 'Same shape' }),
    '',
    `Per activity (queue wait + run): connect ${perActivity(profiles.connect)}; refreshNow ${perActivity(profiles.refreshNow)}.`,
  ];
  if (storm) lines.push('', '### Health-check storm', '', markdownTable(stormRows(storm, options.stormWorkers), { ours: 'Tether', baseline: '' }), ...storm.warnings.map((warning) => `\nWarning: ${warning}`));

  const problems = problemsOf(m);
  lines.push(
    '',
    `Whole run: ${m.totals.expiredAtEnd} accounts \`expired\` at the end, ${m.totals.refreshTokenReuse} refresh-token reuses.`,
    '',
    problems.length ? `**FAIL**: ${problems.join('; ')}` : '**PASS**: no failed user action, no false expirations, no refresh-token reuse.',
  );
  return { json: { ...m, generatedAt: new Date().toISOString(), problems }, markdown: lines.join('\n'), problems };
}

function stormRows(storm: StormResult, workers: number): Row[] {
  const limit = `${storm.tokenLimit.limit}/${storm.tokenLimit.windowSec} s`;
  const rate = storm.tokenLimit.limit / storm.tokenLimit.windowSec;
  const rows: Row[] = [
    { metric: 'Tether worker processes sharing the rate', ours: workers, unit: 'processes' },
    { metric: 'Connects of the setup wave that failed (user actions)', ours: storm.setupFailures, unit: 'connects' },
    { metric: `${storm.accounts} health checks (X: renewals) due within ${formatValue(storm.dueSpreadSec)} s, platform limit ${limit}: done`, ours: `${storm.checked}/${storm.accounts}`, unit: 'accounts' },
    { metric: 'Fastest possible at the limit (N / rate)', ours: storm.minimumPossibleSec, unit: 's' },
    { metric: 'Token requests granted, first to last', ours: storm.grantedSpanSec, unit: 's' },
    { metric: 'Rate the platform granted (share of its limit; target ≥ 90 %)', ours: `${formatValue(storm.achievedPerSec)} (${formatValue((100 * storm.achievedPerSec) / rate)} %)`, unit: 'requests/s' },
    { metric: 'The same between the 10th and the 90th percentile grant (without start and tail)', ours: `${formatValue(storm.middlePerSec)} (${formatValue((100 * storm.middlePerSec) / rate)} %)`, unit: 'requests/s' },
    { metric: '429s from the token endpoint (target 0)', ours: storm.tooManyRequests, unit: 'responses' },
    { metric: 'Token requests reaching the platform in the busiest sliding second', ours: storm.maxArrivalsInAnySecond, unit: 'requests' },
    { metric: 'Check done after its due time p50 / p95 / max (projection, ~1 s polls)', ours: `${formatValue(storm.lateSec.p50)} / ${formatValue(storm.lateSec.p95)} / ${formatValue(storm.lateSec.max)}`, unit: 's' },
    { metric: `Checks done after their deadline, the account's next check (cadence ≥ ${formatValue(storm.minCadenceSec)} s; target 0)`, ours: storm.missedDeadlines, unit: 'accounts' },
    { metric: 'False expirations (projection `expired`) / false warnings (`expiring`)', ours: `${storm.falseExpirations} / ${storm.falseWarnings}`, unit: 'accounts' },
    { metric: 'Refresh-token reuse', ours: storm.refreshTokenReuse, unit: 'requests' },
  ];
  const d = storm.dispatch;
  if (d) {
    rows.push(
      { metric: 'Renewal activities started (per account)', ours: `${d.renewalActivities} (${formatValue(d.renewalActivitiesPerAccount)})`, unit: 'activities' },
      { metric: 'Renewals Temporal started in the busiest second (the queue has no rate limit: the pacer spaces the token requests)', ours: d.maxStartedInAnySecond, unit: 'activities' },
      { metric: 'Renewals started in the first second of the storm', ours: d.startedInFirstSecond, unit: 'activities' },
      { metric: 'Mean start rate over the storm', ours: d.meanStartedPerSecond, unit: 'per s' },
      { metric: 'Token requests reaching the platform in the busiest second', ours: d.maxArrivalsInAnySecond, unit: 'requests' },
      { metric: 'Token requests / answered 429', ours: `${d.tokenRequests} / ${d.tokenRequests429}`, unit: 'requests' },
      { metric: 'Renewal activity queue wait p50 / p95', ours: `${formatValue(d.queueWaitMs.p50)} / ${formatValue(d.queueWaitMs.p95)}`, unit: 'ms' },
      { metric: 'Renewal activity run time p50 / p95 (reads, lease, platform call, writes)', ours: `${formatValue(d.runMs.p50)} / ${formatValue(d.runMs.p95)}`, unit: 'ms' },
    );
  }
  return rows;
}

/** What the refreshNow target (p50 within 1.5× the same shape) leaves for everything Tether adds: half the same shape's p50. */
export const refreshNowAllowanceMs = (shapedP50: number): number => shapedP50 / 2;

/** That allowance beside the time of refreshNow's own database commands and platform call, and beside the database server's floor for that many commands. */
function floorRows(floor: DatabaseFloor, perUpdate: NonNullable<LatencyResult['perUpdate']>, shapedP50: number): Row[] {
  const allowance = refreshNowAllowanceMs(shapedP50);
  return [
    { metric: "refreshNow's database commands and platform call (their own time), beside what a p50 within 1.5× the same shape leaves for all of Tether's work", ours: perUpdate.databaseMs + perUpdate.platformMs, baseline: allowance, unit: 'ms' },
    { metric: `The database's floor for them: ${floor.commands} pings back to back, p50, beside the same allowance`, ours: floor.roundMs.p50, baseline: allowance, unit: 'ms' },
  ];
}

/** CPU per start of each process: the bare update-with-start sample beside all of Tether's connects. */
function startCpuTable(m: LifecycleMeasurements): string[] {
  const bare = bareStartCpu(m.starts);
  const ours = connectCpu(m.trajectory);
  if (!bare || !ours) return [];
  const names = [...new Set([...Object.keys(ours.msPerStart), ...Object.keys(bare.msPerStart)])];
  const cell = (cpu: CpuPerStart, name: string) => formatValue(cpu.msPerStart[name] ?? 0);
  return [
    `CPU per start (ms, from /proc): the ${bare.starts} bare update-with-starts beside Tether's ${ours.starts} connects. Where both kept the machine's cores busy, their throughputs stand in the ratio of these totals.`,
    '',
    '| Process | Bare start | Tether connect |',
    '|---|---:|---:|',
    ...names.map((name) => `| ${name} | ${cell(bare, name)} | ${cell(ours, name)} |`),
    `| **All** | ${formatValue(totalMs(bare))} | ${formatValue(totalMs(ours))} |`,
    `| Machine busy (% of ${ours.cores * 100} %) | ${formatValue(bare.machineBusyPercentOfCore)} | ${formatValue(ours.machineBusyPercentOfCore)} |`,
    '',
  ];
}

/** Per chunk of connects: its rate, the worker's memory, how busy the machine was and each process's CPU per connect. */
function trajectoryTable(trajectory: TrajectoryPoint[]): string[] {
  const names = Object.keys(trajectory.find((t) => t.cpu)?.cpu?.processes ?? {});
  const cores = trajectory.find((t) => t.cpu)?.cpu?.cores ?? 0;
  const cpuCells = (t: TrajectoryPoint) => {
    const perConnect = cpuPerConnect(t);
    if (!perConnect || !t.cpu) return names.length > 0 ? ` – |${names.map(() => ' – |').join('')}` : '';
    return ` ${formatValue(t.cpu.machineBusyPercentOfCore)} |${names.map((name) => ` ${formatValue(perConnect[name] ?? 0)} |`).join('')}`;
  };
  const cpuHeads = names.length > 0 ? ` Machine busy (% of ${cores * 100} %) |${names.map((name) => ` ${name} (CPU ms per connect) |`).join('')}` : '';
  return [
    `| Accounts connected | Connects per second (that chunk) | Tether worker RSS (MiB, not settled) |${cpuHeads}`,
    `|---:|---:|---:|${names.length > 0 ? '---:|'.repeat(names.length + 1) : ''}`,
    ...trajectory.map((t) => `| ${t.accounts} | ${formatValue(t.connectsPerSecond)} | ${formatValue(t.tetherRssMiB)} |${cpuCells(t)}`),
    '',
  ];
}
