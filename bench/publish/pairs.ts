import type { BaselineMeasurement } from './baseline.js';
import type { RoundMeasurement } from './drain.js';

// The text burst and its direct calls, run in turn more than once in one run. On a shared 2-core
// machine one pair's ratio moves with whatever else ran in that minute (the direct call's p50 alone
// moved between 13 and 23 ms from run to run), so the per-post cycle is judged by the median pair.

/** One round of direct calls, then the same burst through Tether's queues. */
export interface BurstPair {
  baseline: BaselineMeasurement;
  burst: RoundMeasurement;
}

export interface PairReading {
  callP50Ms: number;
  cycleP50Ms: number;
  /** The burst's per-post cycle p50 over one direct call's p50. */
  ratio: number;
  drainSec: number;
  workerMsPerPost: number;
  /** CPU the run's own processes did not use over the burst, in % of one core: work that shared the machine. */
  othersPercentOfCore: number;
}

/** Worker CPU per post over a burst: every Tether worker process together. */
function workerMsPerPost(burst: RoundMeasurement): number {
  const seconds = Object.entries(burst.cpu.processes)
    .filter(([name]) => name.startsWith('tether worker'))
    .reduce((sum, [, p]) => sum + p.cpuSec, 0);
  return (seconds * 1000) / Math.max(1, burst.published);
}

export function readPair(pair: BurstPair): PairReading {
  return {
    callP50Ms: pair.baseline.callMs.p50,
    cycleP50Ms: pair.burst.cycleMs.p50,
    ratio: pair.burst.cycleMs.p50 / pair.baseline.callMs.p50,
    drainSec: pair.burst.drainSec,
    workerMsPerPost: workerMsPerPost(pair.burst),
    othersPercentOfCore: pair.burst.cpu.othersPercentOfCore,
  };
}

/** The median of the pairs' ratios (the mean of the two middle ones for an even count). */
export function medianRatio(readings: PairReading[]): number {
  const sorted = readings.map((r) => r.ratio).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
