import { markdownTable, type Row } from '../shared/report.js';
import { mib } from '../shared/memory.js';
import type { StartupOptions } from './options.js';
import { WORKER_VARIANTS, type WorkerVariant } from './variants.js';

// The startup benchmark's JSON and tables: each variant beside the compiled worker (the baseline,
// measured in the same run), as medians over the rounds.

export interface StartSample {
  variant: WorkerVariant['key'];
  round: number;
  /** Spawn until the worker polls its task queue. */
  startSec: number;
  idleRssBytes: number;
  peakRssBytes: number;
}

export interface StartupMeasurements {
  options: StartupOptions;
  environment: { cpus: number; node: string; database: string; loadAverage: { start: number; end: number } };
  build: { compileSec: number; bundleSec: number; bundleKiB: number };
  samples: StartSample[];
  failures: string[];
  runtimeSec: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
};
const round2 = (value: number) => Math.round(value * 100) / 100;

export function buildReport(m: StartupMeasurements): { json: unknown; markdown: string; problems: string[] } {
  const of = (key: WorkerVariant['key']) => m.samples.filter((sample) => sample.variant === key);
  const summary = Object.fromEntries(
    WORKER_VARIANTS.map(({ key }) => [key, { startSec: round2(median(of(key).map((s) => s.startSec))), idleRssMiB: mib(median(of(key).map((s) => s.idleRssBytes))), peakRssMiB: mib(median(of(key).map((s) => s.peakRssBytes))) }]),
  ) as Record<WorkerVariant['key'], { startSec: number; idleRssMiB: number; peakRssMiB: number }>;
  const compiled = summary.compiled;
  const rows: Row[] = [];
  for (const variant of WORKER_VARIANTS.filter(({ key }) => key !== 'compiled')) {
    const s = summary[variant.key];
    rows.push(
      { metric: `${variant.label}: start, spawn → polling (median)`, ours: s.startSec, baseline: compiled.startSec, unit: 's' },
      { metric: `${variant.label}: idle RSS after ${m.options.settleSec} s (median)`, ours: s.idleRssMiB, baseline: compiled.idleRssMiB, unit: 'MiB' },
      { metric: `${variant.label}: peak RSS (median)`, ours: s.peakRssMiB, baseline: compiled.peakRssMiB, unit: 'MiB' },
    );
  }
  const problems = [...m.failures];
  for (const { key, label } of WORKER_VARIANTS) if (of(key).length !== m.options.rounds) problems.push(`${label} started ${of(key).length} of ${m.options.rounds} times`);
  const lines = [
    `## Startup benchmark — the worker compiled against tsx from source, ${m.options.rounds} rounds`,
    '',
    `${m.environment.cpus} CPUs, Node ${m.environment.node}, ${m.environment.database}; variants started in turn in each round against the same Temporal dev server and database, ` +
      `each with a task queue of its own, stopped (SIGTERM) before the next; whole run ${m.runtimeSec.toFixed(0)} s; 1-minute load average ${m.environment.loadAverage.start.toFixed(1)} at the start, ${m.environment.loadAverage.end.toFixed(1)} at the end.`,
    '',
    `\`npm run build\`: compiled in ${m.build.compileSec.toFixed(1)} s (type-checked), workflow bundle ${m.build.bundleKiB} KiB in ${m.build.bundleSec.toFixed(1)} s.`,
    '',
    markdownTable(rows, { ours: 'Variant', baseline: 'Compiled (baseline)' }),
    '',
    'Start: from spawning `node` until the worker polls its task queue (configuration, database, Temporal connection, workflow code loaded). ' +
      'Idle RSS: VmRSS once the worker has polled for the settle time without work.',
    '',
    problems.length ? `**FAIL**: ${problems.join('; ')}` : '**PASS**: every variant started in every round.',
  ];
  return { json: { ...m, summary, generatedAt: new Date().toISOString(), problems }, markdown: lines.join('\n'), problems };
}
