import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { timestamp, writeResults } from '../shared/report.js';
import { issue12Targets, type SavedResults, type TargetRow } from './issue-12.js';
import { parseTargetsOptions } from './options.js';

// `npm run bench -- targets`: issue #12's table from the saved results, before and now side by side.

const SAVED = /^(lifecycle|publish|cost)-(\d{4}-\d{2}-\d{2}T[\d-]+Z)\.json$/;

/** Every saved result of the three benchmarks, newest first per benchmark. */
export function readSavedResults(dir: string): SavedResults {
  const saved: SavedResults = { lifecycle: [], publish: [], cost: [] };
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return saved;
  }
  for (const file of names.filter((name) => SAVED.test(name)).sort().reverse()) {
    const name = SAVED.exec(file)![1] as keyof SavedResults;
    const measurements = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as never;
    saved[name].push({ file, measurements });
  }
  return saved;
}

export function targetsMarkdown(rows: TargetRow[]): string {
  const lines = ['## Issue #12 targets: before and now', '', '| Figure (target) | Before (issue #12) | Now | Met? | Run (load at start → end) |', '|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(
      r.now
        ? `| ${r.figure} | ${r.before} | ${r.now.text} | ${r.now.met ? 'yes' : '**no**'} | ${r.now.file} (${r.now.load.start.toFixed(2)} → ${r.now.load.end.toFixed(2)}) |`
        : `| ${r.figure} | ${r.before} | no saved result | – | \`${r.run}\` |`,
    );
  }
  const bounds = rows.filter((r) => r.now && !r.now.met && r.now.boundBy);
  if (bounds.length > 0) {
    lines.push('', 'What bounds the targets not met, in the same runs:');
    for (const r of bounds) lines.push(`- ${r.figure}: ${r.now!.boundBy}.`);
  }
  const met = rows.filter((r) => r.now?.met).length;
  const missing = rows.filter((r) => !r.now).length;
  lines.push('', `${met} of ${rows.length} targets met${missing ? `; ${missing} without a saved result` : ''}. Ratios hold within one run; runs on a shared machine differ in load.`);
  return lines.join('\n');
}

export async function runTargetsReport(argv: string[]): Promise<number> {
  const options = parseTargetsOptions(argv);
  const markdown = targetsMarkdown(issue12Targets(readSavedResults(options.resultsDir)));
  process.stdout.write(`${markdown}\n`);
  const written = writeResults('targets', timestamp(), { markdown }, markdown);
  process.stdout.write(`\nSaved: ${written.markdown}\n`);
  return 0;
}
