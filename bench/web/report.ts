import type { AccountPageMeasurement } from './account-page.js';
import type { WebOptions } from './options.js';
import type { QueryCount, RouteTiming } from './measure.js';

// The web benchmark's JSON, its markdown tables, and the problems that fail the run.

export interface SizeMeasurement {
  accounts: number;
  pillsShown: number;
  timings: { connections: RouteTiming; baseline: RouteTiming; stylesheet: RouteTiming };
  queries: { connections: QueryCount; baseline: QueryCount };
}

export interface WebMeasurements {
  options: WebOptions;
  environment: { cpus: number; node: string; database: string; loadAverage: { start: number; end: number } };
  setupSec: number;
  runtimeSec: number;
  sizes: SizeMeasurement[];
  accountPage: AccountPageMeasurement[];
}

const allEqual = (values: number[]) => values.every((value) => value === values[0]);
const ratio = (ours: number, baseline: number) => (baseline > 0 ? `${(ours / baseline).toFixed(1)}×` : '–');
const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(2));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const kib = (bytes: number) => (bytes / 1024).toFixed(1);

export function problemsOf(m: WebMeasurements): string[] {
  const problems: string[] = [];
  for (const size of m.sizes) {
    if (size.pillsShown !== size.accounts) problems.push(`${size.accounts} accounts: the page showed ${size.pillsShown} pills`);
    if (!allEqual(size.queries.connections.operations)) problems.push(`${size.accounts} accounts: mongoose operations varied between renders (${size.queries.connections.operations.join(', ')})`);
  }
  const perEvents = m.accountPage.map((size) => size.queries.operations[0] ?? -1);
  if (!allEqual(perEvents) || m.accountPage.some((size) => !allEqual(size.queries.operations))) {
    problems.push(`account page: mongoose operations per render differ (${m.accountPage.map((size) => `${size.events} events: ${size.queries.operations.join('/')}`).join('; ')})`);
  }
  const perSize = m.sizes.map((size) => size.queries.connections.operations[0] ?? -1);
  if (!allEqual(perSize)) problems.push(`mongoose operations per render differ between sizes (${perSize.join(', ')}): the page does not use a fixed number of queries`);
  return problems;
}

export function buildReport(m: WebMeasurements): { json: unknown; markdown: string; problems: string[] } {
  const latency = [
    '| Accounts | Connections p50 | p95 | /healthz p50 | p95 | Ratio p50 | Ratio p95 | tether.css p50 | Page size |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...m.sizes.map(({ accounts, timings: { connections: c, baseline: b, stylesheet: s } }) =>
      `| ${accounts} | ${ms(c.latencyMs.p50)} ms | ${ms(c.latencyMs.p95)} ms | ${ms(b.latencyMs.p50)} ms | ${ms(b.latencyMs.p95)} ms | ${ratio(c.latencyMs.p50, b.latencyMs.p50)} | ${ratio(c.latencyMs.p95, b.latencyMs.p95)} | ${ms(s.latencyMs.p50)} ms | ${kib(c.bytes)} KiB |`,
    ),
  ];
  const queries = [
    '| Accounts | Mongoose operations per render | Wire commands per render | Wire commands by name | Database time per render (median) | /healthz commands |',
    '|---:|---:|---:|---|---:|---:|',
    ...m.sizes.map(({ accounts, queries: { connections: q, baseline } }) => {
      const names = Object.entries(q.byCommand).map(([name, n]) => `${name} ${n}`).join(', ');
      return `| ${accounts} | ${[...new Set(q.operations)].join('/')} | ${[...new Set(q.commands)].join('/')} | ${names} | ${ms(median(q.databaseMs))} ms | ${[...new Set(baseline.commands)].join('/')} |`;
    }),
  ];
  const first = m.sizes[0]?.queries.connections.operationNames ?? [];
  const commandTimes = m.sizes.map(({ accounts, queries }) => `- ${accounts} accounts: ${queries.connections.commandTimes.map((c) => `${c.command} ${c.ms} ms`).join(', ')}`);
  const problems = problemsOf(m);
  const lines = [
    `## Web benchmark — Connections page, ${m.sizes.map((s) => s.accounts).join(' / ')} accounts of one pen name`,
    '',
    `${m.environment.cpus} CPUs, Node ${m.environment.node}, ${m.environment.database}; app in the benchmark's process, one kept-alive connection; ` +
      `${m.options.requests} timed requests per route and size after ${m.options.warmup} warm-up rounds, routes interleaved, one request at a time; ` +
      `setup ${m.setupSec.toFixed(1)} s, whole run ${m.runtimeSec.toFixed(0)} s; 1-minute load average ${m.environment.loadAverage.start.toFixed(1)} at the start, ${m.environment.loadAverage.end.toFixed(1)} at the end.`,
    '',
    ...latency,
    '',
    'Ratio: Connections page latency / `/healthz` latency measured in the same rounds (the cheapest route through Express: no session, no database).',
    'Database time: the sum of the driver-measured durations of one render\'s commands (some run in parallel), so the rest of the latency is Express, EJS and the client.',
    '',
    ...queries,
    '',
    `Operations of one render: ${first.join(', ')}.`,
    '',
    'Wire commands of the last counted render, with their durations:',
    ...commandTimes,
    '',
    `### Account page (\`/connections/<id>?range=all\`) as one account's timeline grows`,
    '',
    '| Events | Account page p50 | p95 | /healthz p50 | p95 | Ratio p95 | Mongoose operations per render | Wire commands per render | Page size |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...m.accountPage.map(({ events, timings: { page: p, baseline: b }, queries: q }) =>
      `| ${events} | ${ms(p.latencyMs.p50)} ms | ${ms(p.latencyMs.p95)} ms | ${ms(b.latencyMs.p50)} ms | ${ms(b.latencyMs.p95)} ms | ${ratio(p.latencyMs.p95, b.latencyMs.p95)} | ${[...new Set(q.operations)].join('/')} | ${[...new Set(q.commands)].join('/')} | ${kib(p.bytes)} KiB |`,
    ),
    '',
    `Not counted above: the session store's expiry touch (one write per session every 10 minutes of use), during ${[...m.sizes.map((size) => size.queries.connections), ...m.accountPage.map((size) => size.queries)].reduce((sum, q) => sum + q.sessionTouches, 0)} of the counted renders.`,
    '',
    problems.length ? `**FAIL**: ${problems.join('; ')}` : '**PASS**: every size showed all its pills, with the same number of MongoDB operations per render.',
  ];
  return { json: { ...m, generatedAt: new Date().toISOString(), problems }, markdown: lines.join('\n'), problems };
}
