import type { TetherWorker } from '../shared/clients.js';
import type { BenchContext } from '../shared/context.js';
import type { WorkerProcess } from '../shared/stack.js';
import type { LifecycleOptions } from './options.js';

// What every phase of the lifecycle benchmark works with.

export interface LifecycleContext extends BenchContext {
  options: LifecycleOptions;
  /** Task queue of the bare baseline workflows (bench/workflows/worker.ts in its own process). */
  baselineTaskQueue: string;
  workers: { tether: TetherWorker; baseline: WorkerProcess };
  /** The baseline worker's SDK metrics exporter (its workflow cache hits and misses). */
  baselineMetricsPort: number;
  /** The baseline worker's control port (POST /gc: a full garbage collection before reading its memory). */
  baselineControlPort: number;
}
