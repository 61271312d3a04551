import { markdownTable, type Row } from '../shared/report.js';
import type { BenchReport } from '../shared/run.js';
import type { LatencySummary } from '../shared/stats.js';
import type { AccountsOptions } from './options.js';

// The accounts benchmark's tables: each operation per collection size, and the largest size against the smallest.

export interface SizeResult {
  accounts: number;
  connectMs: LatencySummary;
  reconnectMs: LatencySummary;
  pointReadMs: LatencySummary;
  /** A post's accounts (three) as `accountsByIds` reads them now, and as one `$in` read them before. */
  postAccountsMs: LatencySummary;
  postAccountsByInMs: LatencySummary;
  /** A post's cancel of three targets as `cancelTargets` does it now, and as one `updateMany` with `$in` and a re-read did before. */
  cancelThreeMs: LatencySummary;
  cancelThreeByInMs: LatencySummary;
  gaugesMs: LatencySummary;
  countsPerStateMs: LatencySummary;
  connectBesideGaugesMs: LatencySummary;
  connectBesideCountsPerStateMs: LatencySummary;
}

const OPERATIONS: { key: Exclude<keyof SizeResult, 'accounts'>; label: string }[] = [
  { key: 'connectMs', label: 'Connect upsert (identity read + insert, findAndModify upsert by _id) p50' },
  { key: 'reconnectMs', label: 'Reconnect of a stored account (findAndModify by _id) p50' },
  { key: 'pointReadMs', label: 'Point read by _id p50' },
  { key: 'postAccountsMs', label: "A post's three accounts, one point read each (`accountsByIds`) p50" },
  { key: 'postAccountsByInMs', label: "The same three, one `find({_id: {$in}, ownerId})` (before) p50" },
  { key: 'cancelThreeMs', label: "A post's cancel of three targets, claim + point read + point write + claim given back each (`cancelTargets`) p50" },
  { key: 'cancelThreeByInMs', label: 'The same cancel, one `updateMany({_id: {$in}, state})` and three point reads (before) p50' },
  { key: 'gaugesMs', label: 'Account gauges read (one $group pass) p50' },
  { key: 'countsPerStateMs', label: 'Account gauges read the former way (a count per state + a find) p50' },
  { key: 'connectBesideGaugesMs', label: 'Connect upsert while the gauges are read p50' },
  { key: 'connectBesideCountsPerStateMs', label: 'Connect upsert while the gauges are read the former way p50' },
];

export function buildReport(input: { options: AccountsOptions; databaseKind: string; results: SizeResult[]; runtimeSec: number; load: { start: number; end: number } }): BenchReport {
  const { results, load } = input;
  const first = results[0];
  const last = results.at(-1);
  const sections = [
    `## accounts: one account write as the collection grows`,
    '',
    `${input.databaseKind}; ${input.options.samples} samples of each operation, one at a time; whole run ${input.runtimeSec.toFixed(0)} s; 1-minute load average ${load.start.toFixed(2)} at the start, ${load.end.toFixed(2)} at the end.`,
  ];
  if (first && last && last !== first) {
    const rows: Row[] = OPERATIONS.map(({ key, label }) => ({ metric: label, ours: last[key].p50, baseline: first[key].p50, unit: 'ms' }));
    const gauges: Row[] = results.map((r) => ({ metric: `At ${r.accounts} accounts: gauges read, one pass against a count per state (p50)`, ours: r.gaugesMs.p50, baseline: r.countsPerStateMs.p50, unit: 'ms' }));
    sections.push('', `### ${last.accounts} accounts against ${first.accounts}`, '', markdownTable(rows, { ours: `${last.accounts} accounts`, baseline: `${first.accounts} accounts` }));
    sections.push('', '### The gauges read, now against before', '', markdownTable(gauges, { ours: 'one $group', baseline: 'count per state' }));
  }
  for (const r of results) {
    const rows: Row[] = OPERATIONS.map(({ key, label }) => ({ metric: label.replace(/ p50$/, ' p50 / p95'), ours: `${r[key].p50} / ${r[key].p95}`, unit: 'ms' }));
    sections.push('', `### ${r.accounts} accounts stored`, '', markdownTable(rows, { ours: 'Measured', baseline: '' }));
  }
  return { json: { ...input, generatedAt: new Date().toISOString() }, markdown: sections.join('\n'), problems: [] };
}
