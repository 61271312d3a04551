import { setTimeout as sleep } from 'node:timers/promises';
import { mib, processMemory } from '../shared/memory.js';
import { requestGarbageCollection } from '../shared/worker-control.js';
import type { LifecycleContext } from './context.js';

// Resident memory of each worker process, read from /proc after letting it go idle: as it stands
// (the heaps hold whatever garbage the last collections left), then again after a full garbage
// collection on every thread of both workers (what the workers actually retain).

export interface WorkerMemory {
  rssMiB: number;
  peakRssMiB: number;
  /** RSS right after a full garbage collection (runs before this reading lack it). */
  rssAfterGcMiB?: number;
}

export interface MemoryReading {
  tether: WorkerMemory;
  baseline: WorkerMemory;
}

function read(pid: number): WorkerMemory {
  const memory = processMemory(pid);
  return { rssMiB: mib(memory.rssBytes), peakRssMiB: mib(memory.peakRssBytes) };
}

/** After a full collection, V8 gives pages back to the system on its own schedule: a moment's wait reads the settled figure. */
const AFTER_GC_SETTLE_MS = 1_000;

export async function readWorkerMemory(context: LifecycleContext): Promise<MemoryReading> {
  await sleep(context.options.settleSec * 1000);
  const { tether, baseline } = context.workers;
  const asItStands = { tether: read(tether.pid), baseline: read(baseline.pid) };
  await Promise.all([tether.collectGarbage(), requestGarbageCollection(context.baselineControlPort)]);
  await sleep(AFTER_GC_SETTLE_MS);
  return {
    tether: { ...asItStands.tether, rssAfterGcMiB: read(tether.pid).rssMiB },
    baseline: { ...asItStands.baseline, rssAfterGcMiB: read(baseline.pid).rssMiB },
  };
}
