import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { issue12Targets } from '../../../bench/targets/issue-12.js';
import { readSavedResults, targetsMarkdown } from '../../../bench/targets/run.js';

// The issue #12 table read from saved benchmark results: each target from the newest result that
// holds its figure, met or not by the figure itself, and said plainly when nothing was saved.

const load = { loadAverage: { start: 1, end: 2 } };
const summary = (p50: number, p95: number) => ({ p50, p95 });

function lifecycle(options: { accounts: number; connect: number; bare: number; refreshP95: number; shapedP95: number; storm?: { granted: number; tooMany: number } }) {
  return {
    options: { accounts: options.accounts, tokenLimit: { limit: 5, windowSec: 1 } },
    environment: load,
    starts: { ours: { perSecond: options.connect, failures: 0, window: 300, firstWindowPerSecond: 20, lastWindowPerSecond: 15 }, bare: { perSecond: options.bare } },
    latency: { refreshNow: { latencyMs: summary(50, options.refreshP95), failures: 0 }, shaped: { latencyMs: summary(20, options.shapedP95) } },
    memory: { checkpoints: [{ accounts: 1000, reading: { tether: { rssMiB: 700 } } }, { accounts: options.accounts, reading: { tether: { rssMiB: 1100 } } }] },
    ...(options.storm
      ? {
          storm: {
            accounts: 1000,
            setupFailures: 0,
            achievedPerSec: options.storm.granted,
            tooManyRequests: options.storm.tooMany,
            missedDeadlines: 0,
            completed: true,
            falseExpirations: 0,
            refreshTokenReuse: 0,
          },
        }
      : {}),
  };
}

describe('the issue #12 targets report', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function save(files: Record<string, unknown>): string {
    dir = mkdtempSync(path.join(tmpdir(), 'tether-targets-'));
    for (const [name, json] of Object.entries(files)) writeFileSync(path.join(dir, name), JSON.stringify(json));
    return dir;
  }

  it('reads each target from the newest result holding it and judges it by its figure', () => {
    const saved = readSavedResults(
      save({
        'lifecycle-2026-12-01T10-00-00-000Z.json': lifecycle({ accounts: 1000, connect: 20, bare: 50, refreshP95: 40, shapedP95: 30, storm: { granted: 4.2, tooMany: 3 } }),
        'lifecycle-2026-12-02T10-00-00-000Z.json': lifecycle({ accounts: 10_000, connect: 10, bare: 50, refreshP95: 120, shapedP95: 40 }),
        'lifecycle-latest.json': lifecycle({ accounts: 1, connect: 1, bare: 1, refreshP95: 1, shapedP95: 1 }),
      }),
    );
    const rows = Object.fromEntries(issue12Targets(saved).map((r) => [r.figure, r.now]));
    // The newest lifecycle run (10,000 accounts, no storm) answers connect and refreshNow.
    expect(rows['Connect throughput vs bare update-with-start (≥ 25 %)']).toMatchObject({ met: false, file: 'lifecycle-2026-12-02T10-00-00-000Z.json' });
    expect(rows['refreshNow p95 vs same-shape update (≤ 1.5×)']).toMatchObject({ met: false, text: expect.stringContaining('3.00×') });
    expect(rows['Connect throughput at 10,000 accounts vs 300 (≥ 0.8×)']).toMatchObject({ met: false, text: expect.stringContaining('0.75×') });
    expect(rows['Worker RSS at 10,000 idle accounts vs 1,000 (≤ 1.5×)']).toMatchObject({ met: false, text: expect.stringContaining('1.57×') });
    // The storm is read from the older run, the only one that had it.
    expect(rows['Storm: rate the platform granted (≥ 90 % of its limit)']).toMatchObject({ met: false, text: expect.stringContaining('84.0 %'), file: 'lifecycle-2026-12-01T10-00-00-000Z.json' });
    expect(rows['Storm: 429s from the platform (0)']).toMatchObject({ met: false, text: '3' });
    expect(rows['Storm: false expirations / refresh-token reuse (0 / 0)']).toMatchObject({ met: true });
  });

  it('says which run to start for a figure nothing saved holds', () => {
    const rows = issue12Targets(readSavedResults(save({})));
    expect(rows.every((r) => r.now === undefined)).toBe(true);
    const markdown = targetsMarkdown(rows);
    expect(markdown).toContain('| X renewals per idle account-day (≤ 1) | ~15 | no saved result | – | `npm run bench -- cost` |');
    expect(markdown).toContain(`0 of ${rows.length} targets met; ${rows.length} without a saved result`);
  });
});
