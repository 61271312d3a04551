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

export async function runPool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>, options: PoolOptions = {}): Promise<PoolResult<R>> {
  const results: (R | undefined)[] = new Array(items.length);
  const latenciesMs: number[] = [];
  const completedAtMs: number[] = [];
  let failures = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  const { progress } = options;
  const ticker =
    progress &&
    setInterval(() => {
      const done = latenciesMs.length + failures;
      const sec = (performance.now() - started) / 1000;
      progress.report(`${progress.label}: ${done}/${items.length} (${(latenciesMs.length / sec).toFixed(1)}/s${failures ? `, ${failures} failed` : ''})`);
    }, progress.everyMs ?? 15_000);
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      const callStarted = performance.now();
      try {
        results[index] = await work(items[index] as T, index);
        const now = performance.now();
        latenciesMs.push(now - callStarted);
        completedAtMs.push(now - started);
      } catch (error) {
        failures += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
  } finally {
    if (ticker) clearInterval(ticker);
  }
  return { results, latenciesMs, completedAtMs, failures, firstError, elapsedMs: performance.now() - started };
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
