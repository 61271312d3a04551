// How many of a set of times (ms) fall into one window, for the pacing tests.

/** The most times any window of `windowMs` holds, sliding over the times. */
export function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** The most times one of a platform's fixed windows holds, its windows starting at `offsetMs`. */
export function busiestFixedWindow(times: number[], windowMs: number, offsetMs: number): number {
  const perWindow = new Map<number, number>();
  for (const t of times) {
    const window = Math.floor((t + offsetMs) / windowMs);
    perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
  }
  return Math.max(...perWindow.values());
}
