import type { BenchContext } from '../shared/context.js';
import type { PublishOptions } from './options.js';

// What every step of the publishing benchmark works with (the baseline calls `adapter` directly).

export interface PublishContext extends BenchContext {
  options: PublishOptions;
  /** Short id of this run, in every post text so texts never repeat across runs. */
  runId: string;
  /** Task queue of the bare timer baseline (bench/workflows/worker.ts in its own process). */
  baselineTaskQueue: string;
  /** The run's processes by name (pid), for the CPU split of each round. */
  processes: Record<string, number>;
}
