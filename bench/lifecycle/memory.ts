import { setTimeout as sleep } from 'node:timers/promises';
import { mib, processMemory } from '../shared/memory.js';
import type { LifecycleContext } from './context.js';

// Phase 3: resident memory of each worker process, read from /proc after letting it go idle.

export interface WorkerMemory {
  rssMiB: number;
  peakRssMiB: number;
}

export interface MemoryReading {
  tether: WorkerMemory;
  baseline: WorkerMemory;
}

function read(pid: number): WorkerMemory {
  const memory = processMemory(pid);
  return { rssMiB: mib(memory.rssBytes), peakRssMiB: mib(memory.peakRssBytes) };
}

export async function readWorkerMemory(context: LifecycleContext): Promise<MemoryReading> {
  await sleep(context.options.settleSec * 1000);
  return { tether: read(context.workers.tether.pid), baseline: read(context.workers.baseline.pid) };
}
