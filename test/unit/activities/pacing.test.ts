import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenRequestPacer, pacingIntervalMs } from '../../../activities/lifecycle/pacing.js';
import { PLATFORM_IDS, type PlatformId } from '../../../platforms/types.js';
import { renewalRates, renewalSlots } from '../../../worker/create-worker.js';

const rates = (overrides: Partial<Record<PlatformId, number>>) => ({ ...Object.fromEntries(PLATFORM_IDS.map((p) => [p, 5])), ...overrides }) as Record<PlatformId, number>;

/** The most requests any window of `windowMs` holds, sliding over the request times. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Starts `count` requests at once; returns the fake-clock times at which each was let through. */
async function releaseTimes(pace: (platform: PlatformId) => Promise<void>, platform: PlatformId, count: number): Promise<number[]> {
  const started = Date.now();
  const times: number[] = [];
  const all = Promise.all(Array.from({ length: count }, () => pace(platform).then(() => times.push(Date.now() - started))));
  await vi.runAllTimersAsync();
  await all;
  return times;
}

describe('token request pacing', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('spaces requests 1 / (share × rate) apart and refuses nonsense settings', () => {
    expect(pacingIntervalMs(5, 0.95)).toBeCloseTo(210.53, 2);
    expect(pacingIntervalMs(2, 1)).toBe(500);
    expect(() => pacingIntervalMs(0, 0.95)).toThrow(RangeError);
    expect(() => pacingIntervalMs(5, 1.5)).toThrow(RangeError);
    expect(() => pacingIntervalMs(5, 0)).toThrow(RangeError);
  });

  it.each([1, 2, 3, 5, 7])('a burst of 60 at %i/s never puts more than the rate into any sliding second, and keeps ≥ 90 %% of it', async (rate) => {
    const pace = createTokenRequestPacer(rates({ x: rate }), 0.95);
    const times = await releaseTimes(pace, 'x', 60);
    expect(times).toHaveLength(60);
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(rate);
    // Also against a platform's fixed windows, wherever they start.
    for (const offset of [0, 100, 333, 999]) {
      const perWindow = new Map<number, number>();
      for (const t of times) perWindow.set(Math.floor((t + offset) / 1000), (perWindow.get(Math.floor((t + offset) / 1000)) ?? 0) + 1);
      expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(rate);
    }
    const achieved = (times.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000);
    expect(achieved).toBeGreaterThanOrEqual(0.9 * rate);
    expect(achieved).toBeLessThanOrEqual(rate);
  });

  it('lets the first request after a quiet spell through at once', async () => {
    const pace = createTokenRequestPacer(rates({}), 0.95);
    await releaseTimes(pace, 'x', 3);
    await vi.advanceTimersByTimeAsync(5000);
    const times = await releaseTimes(pace, 'x', 1);
    expect(times).toEqual([0]);
  });

  it('paces each platform on its own: a backlog on X does not hold LinkedIn back', async () => {
    const pace = createTokenRequestPacer(rates({ x: 1, linkedin: 2 }), 1);
    const started = Date.now();
    const linkedin: number[] = [];
    const xs = Promise.all(Array.from({ length: 10 }, () => pace('x')));
    const lis = Promise.all(Array.from({ length: 2 }, () => pace('linkedin').then(() => linkedin.push(Date.now() - started))));
    await vi.runAllTimersAsync();
    await Promise.all([xs, lis]);
    expect(linkedin).toEqual([0, 500]);
  });
});

describe('token request pacing after an event-loop stall (real timers)', () => {
  it('releases the requests that waited through the stall one interval apart, not together', async () => {
    const pace = createTokenRequestPacer(rates({ x: 10 }), 1);
    const started = performance.now();
    const times: number[] = [];
    const all = Promise.all(Array.from({ length: 6 }, () => pace('x').then(() => times.push(performance.now() - started))));
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Block the event loop across the next four release times.
    const blockedUntil = performance.now() + 450;
    while (performance.now() < blockedUntil);
    await all;
    expect(times).toHaveLength(6);
    expect(times[1]).toBeGreaterThanOrEqual(450);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(99.5);
  });
});

describe('renewal workers', () => {
  it('take the configured rates over the built-in ones, and hold about two seconds of paced renewals', () => {
    expect(renewalRates({ x: 3 })).toMatchObject({ x: 3, linkedin: 2 });
    expect(renewalSlots(5)).toBe(10);
    expect(renewalSlots(0.5)).toBe(2);
  });
});
