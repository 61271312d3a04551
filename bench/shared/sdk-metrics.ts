// A worker process's Temporal SDK metrics (its Prometheus exporter): the workflow cache (a task for
// a cached run is a hit; a miss makes the worker fetch the whole history and replay it first) and
// a workflow task's time inside the worker, summed over every worker of the process.

export interface Timing {
  count: number;
  totalMs: number;
}

export interface SdkMetrics {
  cacheHits: number;
  cacheMisses: number;
  /** Workflow task received → its completion sent (the worker's whole part of a task). */
  workflowTasks: Timing;
}

const LINE = /^temporal_([a-z_]+?)(?:_total|_seconds_sum|_seconds_count)?(?:\{[^}]*\})?\s+([0-9.eE+-]+)$/;
const HISTOGRAM = /^temporal_([a-z_]+?)_seconds_(sum|count)(?:\{[^}]*\})?\s+([0-9.eE+-]+)$/;

const TIMINGS = { workflow_task_execution_latency: 'workflowTasks' } as const;

const empty = (): SdkMetrics => ({ cacheHits: 0, cacheMisses: 0, workflowTasks: { count: 0, totalMs: 0 } });

export function parseSdkMetrics(text: string): SdkMetrics {
  const metrics = empty();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const histogram = HISTOGRAM.exec(line);
    if (histogram) {
      const key = TIMINGS[histogram[1] as keyof typeof TIMINGS];
      if (!key) continue;
      if (histogram[2] === 'sum') metrics[key].totalMs += Number(histogram[3]) * 1000;
      else metrics[key].count += Number(histogram[3]);
      continue;
    }
    const counter = LINE.exec(line);
    if (counter?.[1] === 'sticky_cache_hit') metrics.cacheHits += Number(counter[2]);
    if (counter?.[1] === 'sticky_cache_miss') metrics.cacheMisses += Number(counter[2]);
  }
  return metrics;
}

export async function readSdkMetrics(port: number): Promise<SdkMetrics> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!response.ok) throw new Error(`worker metrics on port ${port} answered ${response.status}`);
  return parseSdkMetrics(await response.text());
}

const timingBetween = (before: Timing, after: Timing): Timing => ({ count: after.count - before.count, totalMs: Math.round((after.totalMs - before.totalMs) * 10) / 10 });

export function sdkMetricsBetween(before: SdkMetrics, after: SdkMetrics): SdkMetrics {
  return {
    cacheHits: after.cacheHits - before.cacheHits,
    cacheMisses: after.cacheMisses - before.cacheMisses,
    workflowTasks: timingBetween(before.workflowTasks, after.workflowTasks),
  };
}

/** Mean ms of a timing, or NaN without samples. */
export const meanMs = (timing: Timing) => (timing.count > 0 ? timing.totalMs / timing.count : Number.NaN);
