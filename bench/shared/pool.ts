// Runs work over many items with a bounded number in flight, timing each call.

export interface PoolResult<R> {
  results: (R | undefined)[];
  /** Milliseconds per successful call, in completion order. */
  latenciesMs: number[];
  failures: number;
  firstError?: string;
  elapsedMs: number;
}

export async function runPool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<PoolResult<R>> {
  const results: (R | undefined)[] = new Array(items.length);
  const latenciesMs: number[] = [];
  let failures = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      const callStarted = performance.now();
      try {
        results[index] = await work(items[index] as T, index);
        latenciesMs.push(performance.now() - callStarted);
      } catch (error) {
        failures += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
  return { results, latenciesMs, failures, firstError, elapsedMs: performance.now() - started };
}
