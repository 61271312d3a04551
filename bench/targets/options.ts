import { parseArgs } from 'node:util';
import { resultsDir } from '../shared/report.js';

// Command-line options of `npm run bench -- targets`.

export interface TargetsOptions {
  /** Where the saved benchmark results are read from. */
  resultsDir: string;
}

export const TARGETS_USAGE = `npm run bench -- targets [options]

  Prints issue #12's targets: the figure the issue recorded before the work beside the newest saved
  result that holds each figure (bench/results/<name>-<time>.json from lifecycle, publish and cost
  runs), whether the target is met, and the run it came from. Runs nothing itself.

  --results DIR   read saved results from DIR (default bench/results)`;

export function parseTargetsOptions(argv: string[]): TargetsOptions {
  const { values } = parseArgs({ args: argv, options: { results: { type: 'string' } }, strict: true });
  return { resultsDir: values.results ?? resultsDir };
}
