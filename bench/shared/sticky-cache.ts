// The Temporal SDK's workflow cache as a worker's Prometheus exporter counts it: a workflow task
// for a cached run is a hit; one for a run not cached (evicted, or never held) is a miss, and the
// worker fetches the whole history and replays it first.

export interface StickyCacheCounts {
  hits: number;
  misses: number;
}

const COUNTER = /^temporal_sticky_cache_(hit|miss)(?:_total)?(?:\{[^}]*\})?\s+([0-9.eE+-]+)$/;

/** The hit and miss counters summed over every worker of the process (its metrics text). */
export function parseStickyCache(metricsText: string): StickyCacheCounts {
  const counts: StickyCacheCounts = { hits: 0, misses: 0 };
  for (const line of metricsText.split('\n')) {
    const match = COUNTER.exec(line.trim());
    if (!match) continue;
    if (match[1] === 'hit') counts.hits += Number(match[2]);
    else counts.misses += Number(match[2]);
  }
  return counts;
}

export async function readStickyCache(port: number): Promise<StickyCacheCounts> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!response.ok) throw new Error(`worker metrics on port ${port} answered ${response.status}`);
  return parseStickyCache(await response.text());
}

export const stickyCacheBetween = (before: StickyCacheCounts, after: StickyCacheCounts): StickyCacheCounts => ({
  hits: after.hits - before.hits,
  misses: after.misses - before.misses,
});
