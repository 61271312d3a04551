import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Benchmark results: one JSON file with everything measured and one markdown table of the
// headline figures (ours, the baseline where one exists, and their ratio).

export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

export interface Row {
  metric: string;
  ours: number | string;
  baseline?: number;
  unit: string;
  /** How to read the ratio: "ours/baseline" (default) or "baseline/ours" (throughput, higher is better). */
  ratio?: 'ours/baseline' | 'baseline/ours';
}

/** A figure as the tables print it: integers whole, others with 0-2 decimals by magnitude, "–" when absent. */
export const formatValue = (value: number | string | undefined): string => {
  if (value === undefined) return '–';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return 'n/a';
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
};

function ratioOf(row: Row): string {
  if (row.baseline === undefined || typeof row.ours !== 'number' || !Number.isFinite(row.ours) || !row.baseline) return '–';
  const value = row.ratio === 'baseline/ours' ? row.baseline / row.ours : row.ours / row.baseline;
  return `${value.toFixed(2)}×`;
}

/** Column headers naming what `ours` and `baseline` measured. */
export interface TableHeaders {
  ours: string;
  baseline: string;
}

export function markdownTable(rows: Row[], headers: TableHeaders = { ours: 'Tether', baseline: 'Bare workflow' }): string {
  const lines = [`| Metric | ${headers.ours} | ${headers.baseline} | Overhead (ratio) | Unit |`, '|---|---:|---:|---:|---|'];
  for (const row of rows) lines.push(`| ${row.metric} | ${formatValue(row.ours)} | ${formatValue(row.baseline)} | ${ratioOf(row)} | ${row.unit} |`);
  return lines.join('\n');
}

/** Writes `<name>-<stamp>.json/.md` and copies them to `<name>-latest.*`; returns the paths. */
export function writeResults(name: string, stamp: string, json: unknown, markdown: string): { json: string; markdown: string } {
  mkdirSync(resultsDir, { recursive: true });
  const base = path.join(resultsDir, `${name}-${stamp}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(`${base}.md`, `${markdown}\n`);
  copyFileSync(`${base}.json`, path.join(resultsDir, `${name}-latest.json`));
  copyFileSync(`${base}.md`, path.join(resultsDir, `${name}-latest.md`));
  return { json: `${base}.json`, markdown: `${base}.md` };
}

export const timestamp = () => new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, 'Z');
