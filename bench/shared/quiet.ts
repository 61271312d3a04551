import { setTimeout as sleep } from 'node:timers/promises';
import { cpuBetween, cpuSnapshot } from './cpu.js';

// Waiting for the machine to settle before a timed step: the work a round leaves behind (its
// workflows' last tasks, the worker's writes, GC) would otherwise run during the next step and
// slow it for reasons of its own.

export interface QuietReading {
  /** How long it took until a whole second was quiet (or the wait gave up). */
  waitedSec: number;
  /** The machine's busy CPU over the last second read, in % of one core. */
  busyPercentOfCore: number;
  quiet: boolean;
}

/** Reads the machine's CPU second by second until one second stays under `maxBusyPercentOfCore`, at most `timeoutSec`. */
export async function waitUntilQuiet(options: { maxBusyPercentOfCore: number; timeoutSec: number }): Promise<QuietReading> {
  const started = Date.now();
  for (;;) {
    const before = cpuSnapshot({});
    await sleep(1000);
    const busy = cpuBetween(before, cpuSnapshot({})).machineBusyPercentOfCore;
    const waitedSec = (Date.now() - started) / 1000;
    if (busy <= options.maxBusyPercentOfCore || waitedSec >= options.timeoutSec) {
      return { waitedSec, busyPercentOfCore: busy, quiet: busy <= options.maxBusyPercentOfCore };
    }
  }
}
