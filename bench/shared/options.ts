// Parsing of the benchmarks' command-line options.

/** `raw` as a positive integer, `fallback` when the option was not given. */
export function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer (got "${raw}")`);
  return value;
}
