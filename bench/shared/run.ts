import { loadavg } from 'node:os';
import path from 'node:path';
import { Cleanup } from './cleanup.js';
import { resultsDir, timestamp, writeResults } from './report.js';
import { openLogs, type Logs } from './stack.js';

// The frame every benchmark runs in: a cleanup stopped on exit and on Ctrl-C, a time stamp naming
// its result files, progress lines on stderr, the log directory; at the end the results written,
// the table printed, the problems listed and the exit code.

export interface BenchRun {
  name: string;
  stamp: string;
  /** Date.now() when the run began. */
  started: number;
  /** The 1-minute load average when the run began. */
  loadAtStart: number;
  cleanup: Cleanup;
  logs: Logs;
  progress(message: string): void;
}

export interface BenchReport {
  json: unknown;
  markdown: string;
  /** Reasons the run failed; any makes the exit code 1. */
  problems: string[];
}

export function beginBenchRun(name: string): BenchRun {
  const cleanup = new Cleanup();
  cleanup.exitOnSignals();
  const stamp = timestamp();
  const started = Date.now();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const progress = (message: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
  const logs = openLogs(path.join(resultsDir, `${name}-${stamp}-logs`), cleanup);
  return { name, stamp, started, loadAtStart, cleanup, logs, progress };
}

/** Writes the results, prints the table and the problems; returns the exit code. */
export function finishBenchRun(run: BenchRun, report: BenchReport): number {
  const files = writeResults(run.name, run.stamp, report.json, report.markdown);
  process.stdout.write(`\n${report.markdown}\n\nResults: ${files.markdown}\n         ${files.json}\n`);
  for (const problem of report.problems) process.stderr.write(`[bench] FAIL: ${problem}\n`);
  return report.problems.length > 0 ? 1 : 0;
}

/** Runs `measure` inside a new run and finishes it; stops everything afterwards, on failure too. */
export async function withBenchRun(name: string, stoppingMessage: string, measure: (run: BenchRun) => Promise<BenchReport>): Promise<number> {
  const run = beginBenchRun(name);
  try {
    return finishBenchRun(run, await measure(run));
  } finally {
    run.progress(stoppingMessage);
    await run.cleanup.runAll();
  }
}

/** Seconds since the run began. */
export const runtimeSec = (run: BenchRun) => (Date.now() - run.started) / 1000;

/** The 1-minute load average at the run's start and now. */
export const loadAverage = (run: BenchRun) => ({ start: run.loadAtStart, end: loadavg()[0] ?? Number.NaN });
