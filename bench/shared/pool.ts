// Runs work over many items with a bounded number in flight, timing each call.

export interface PoolResult<R> {
  results: (R | undefined)[];
  /** Milliseconds per successful call, in completion order. */
  latenciesMs: number[];
  /** When each successful call finished, ms after the pool started, in completion order. */
  completedAtMs: number[];
  failures: number;
  firstError?: string;
  elapsedMs: number;
}

export interface PoolOptions {
  /** Prints "<label>: done/total, rate" about every `everyMs` (default 15 s) while the pool runs. */
  progress?: { label: string; report(message: string): void; everyMs?: number };
}

/** Times calls and keeps their results, latencies and failures for a PoolResult. */
function recorder<R>(count: number) {
  const started = performance.now();
  const result = { results: new Array<R | undefined>(count), latenciesMs: [] as number[], completedAtMs: [] as number[], failures: 0, firstError: undefined as string | undefined };
  return {
    result,
    started,
    async timed(index: number, call: () => Promise<R>): Promise<void> {
      const callStarted = performance.now();
      try {
        result.results[index] = await call();
        const now = performance.now();
        result.latenciesMs.push(now - callStarted);
        result.completedAtMs.push(now - started);
      } catch (error) {
        result.failures += 1;
        result.firstError ??= error instanceof Error ? error.message : String(error);
      }
    },
    finish: (): PoolResult<R> => ({ ...result, elapsedMs: performance.now() - started }),
  };
}

export async function runPool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>, options: PoolOptions = {}): Promise<PoolResult<R>> {
  const record = recorder<R>(items.length);
  const { result } = record;
  let next = 0;
  const { progress } = options;
  const ticker =
    progress &&
    setInterval(() => {
      const done = result.latenciesMs.length + result.failures;
      const sec = (performance.now() - record.started) / 1000;
      progress.report(`${progress.label}: ${done}/${items.length} (${(result.latenciesMs.length / sec).toFixed(1)}/s${result.failures ? `, ${result.failures} failed` : ''})`);
    }, progress.everyMs ?? 15_000);
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await record.timed(index, () => work(items[index] as T, index));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
  } finally {
    if (ticker) clearInterval(ticker);
  }
  return record.finish();
}

/**
 * Starts one call every 1 / `perSecond` seconds, however many are still in flight (an open loop: a
 * slow answer does not hold the next arrival back, so queueing shows in the latencies).
 */
export async function runPaced<T, R>(items: readonly T[], perSecond: number, work: (item: T, index: number) => Promise<R>): Promise<PoolResult<R>> {
  const record = recorder<R>(items.length);
  await Promise.all(
    items.map(async (item, index) => {
      const due = record.started + (index * 1000) / perSecond;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      await record.timed(index, () => work(item, index));
    }),
  );
  return record.finish();
}

/**
 * Throughput over a window of completions: `count` calls ending at completion number `end`
 * (exclusive, 0-based), measured from the completion before the window (or the pool's start).
 */
export function windowRate(completedAtMs: number[], start: number, end: number): number {
  const from = start === 0 ? 0 : (completedAtMs[start - 1] as number);
  const to = completedAtMs[end - 1] as number;
  return (end - start) / ((to - from) / 1000);
}
