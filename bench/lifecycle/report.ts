import { markdownTable, type Row } from '../shared/report.js';
import type { MemoryReading } from './memory.js';
import type { LifecycleOptions } from './options.js';
import type { ThroughputResult } from './start-throughput.js';
import type { StormResult } from './storm.js';
import type { LatencyResult } from './update-latency.js';

// The lifecycle benchmark's JSON, its markdown table, and the problems that fail the run.

export interface LifecycleMeasurements {
  options: LifecycleOptions;
  environment: { cpus: number; node: string; database: string; temporal: string };
  setupSec: number;
  starts: { ours: ThroughputResult; baseline: ThroughputResult };
  latency: { ours: LatencyResult; baseline: LatencyResult };
  memory: { before: MemoryReading; after: MemoryReading; accounts: number };
  storm?: StormResult;
  totals: { expiredAtEnd: number; refreshTokenReuse: number; runtimeSec: number };
}

export function problemsOf(m: LifecycleMeasurements): string[] {
  const problems: string[] = [];
  if (m.totals.expiredAtEnd > 0 || (m.storm?.falseExpirations ?? 0) > 0) {
    problems.push(`false expirations: ${Math.max(m.totals.expiredAtEnd, m.storm?.falseExpirations ?? 0)} accounts show "expired"`);
  }
  if (m.totals.refreshTokenReuse > 0) problems.push(`the sandbox saw ${m.totals.refreshTokenReuse} reuses of rotated-away refresh tokens`);
  if (m.starts.ours.failures > 0) problems.push(`${m.starts.ours.failures} connects failed (${m.starts.ours.firstError ?? ''})`);
  if (m.starts.baseline.failures > 0) problems.push(`${m.starts.baseline.failures} baseline starts failed (${m.starts.baseline.firstError ?? ''})`);
  if (m.latency.ours.failures > 0) problems.push(`${m.latency.ours.failures} refreshNow updates failed (${m.latency.ours.firstError ?? ''})`);
  if (m.storm && !m.storm.completed) problems.push(`storm: only ${m.storm.renewed} of ${m.storm.accounts} accounts renewed before the timeout`);
  return problems;
}

export function buildReport(m: LifecycleMeasurements): { json: unknown; markdown: string; problems: string[] } {
  const { starts, latency, memory, storm } = m;
  const n = memory.accounts;
  const perWorkflowKiB = (reading: 'tether' | 'baseline') =>
    ((memory.after[reading].rssMiB - memory.before[reading].rssMiB) * 1024) / Math.max(1, n);
  const rows: Row[] = [
    { metric: `Start throughput (${starts.ours.count} starts, ${m.options.concurrency} in flight)`, ours: starts.ours.perSecond, baseline: starts.baseline.perSecond, unit: 'starts/s', ratio: 'baseline/ours' },
    { metric: 'Start call latency p50', ours: starts.ours.latencyMs.p50, baseline: starts.baseline.latencyMs.p50, unit: 'ms' },
    { metric: 'Start call latency p95', ours: starts.ours.latencyMs.p95, baseline: starts.baseline.latencyMs.p95, unit: 'ms' },
    { metric: `Update round trip p50 (refreshNow vs no-op, ${latency.ours.latencyMs.count} samples)`, ours: latency.ours.latencyMs.p50, baseline: latency.baseline.latencyMs.p50, unit: 'ms' },
    { metric: 'Update round trip p95', ours: latency.ours.latencyMs.p95, baseline: latency.baseline.latencyMs.p95, unit: 'ms' },
    { metric: 'Worker RSS, no workflows', ours: memory.before.tether.rssMiB, baseline: memory.before.baseline.rssMiB, unit: 'MiB' },
    { metric: `Worker RSS, ${n} idle workflows`, ours: memory.after.tether.rssMiB, baseline: memory.after.baseline.rssMiB, unit: 'MiB' },
    { metric: 'Worker RSS per idle workflow', ours: perWorkflowKiB('tether'), baseline: perWorkflowKiB('baseline'), unit: 'KiB' },
  ];
  if (storm) {
    const limit = `${storm.tokenLimit.limit}/${storm.tokenLimit.windowSec} s`;
    rows.push(
      { metric: `Storm: ${storm.accounts} renewals due within ${storm.expirySpreadSec.toFixed(0)} s, limit ${limit} — renewed`, ours: `${storm.renewed}/${storm.accounts}`, unit: 'accounts' },
      { metric: 'Storm: first to last renewal', ours: storm.renewalWaveSec, unit: 's' },
      { metric: 'Storm: fastest possible at the limit (N / rate)', ours: storm.minimumPossibleSec, unit: 's' },
      { metric: 'Storm: all renewed after the setup wave', ours: storm.allRenewedAfterSetupSec, unit: 's' },
      { metric: 'Storm: renewal rate achieved', ours: storm.achievedRenewalsPerSec, unit: 'renewals/s' },
      { metric: 'Storm: renewed only after the access token expired', ours: storm.renewedAfterAccessExpiry, unit: 'accounts' },
      { metric: 'Storm: worst lateness past access expiry', ours: storm.maxLatenessSec, unit: 's' },
      { metric: 'Storm: false expirations (projection `expired`)', ours: storm.falseExpirations, unit: 'accounts' },
      { metric: 'Storm: false warnings (projection `expiring`)', ours: storm.falseWarnings, unit: 'accounts' },
      { metric: 'Storm: refresh-token reuse', ours: storm.refreshTokenReuse, unit: 'requests' },
      { metric: 'Storm: 429s from the token endpoint', ours: storm.tooManyRequests, unit: 'responses' },
    );
  }
  rows.push(
    { metric: 'Whole run: accounts `expired` at the end', ours: m.totals.expiredAtEnd, unit: 'accounts' },
    { metric: 'Whole run: refresh-token reuse', ours: m.totals.refreshTokenReuse, unit: 'requests' },
  );

  const problems = problemsOf(m);
  const lines = [
    `## Lifecycle benchmark — ${n} accounts`,
    '',
    `${m.environment.cpus} CPUs, Node ${m.environment.node}, ${m.environment.temporal}, ${m.environment.database}; ` +
      `setup (identities + consent, not measured) ${m.setupSec.toFixed(1)} s; whole run ${m.totals.runtimeSec.toFixed(0)} s.`,
    '',
    markdownTable(rows),
    '',
    'Ratios: throughput is bare/Tether (how many times slower); latency and memory are Tether/bare.',
    'refreshNow performs a real renewal through the X renewal task queue (rate-limited per second), so it is not a pure messaging cost.',
    ...(storm?.warnings ?? []).map((warning) => `\nWarning: ${warning}`),
    '',
    problems.length ? `**FAIL**: ${problems.join('; ')}` : '**PASS**: no false expirations, no refresh-token reuse.',
  ];
  return { json: { ...m, generatedAt: new Date().toISOString(), problems }, markdown: lines.join('\n'), problems };
}
