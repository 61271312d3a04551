import { describe, expect, it } from 'vitest';
import { firstCandidate, isUsable, slotGrid, slotStart } from '../../../activities/lifecycle/slot-grid.js';
import { busiestWindow } from '../../helpers/windows.js';

describe('the token-request slot grid', () => {
  it('spaces slots 1 / (share × rate) apart and lets them be used as late as the share leaves room for', () => {
    expect(slotGrid(5, 0.95).intervalMs).toBeCloseTo(210.53, 2);
    expect(slotGrid(5, 0.95).toleranceMs).toBeCloseTo(52.63, 2);
    expect(slotGrid(2, 0.95).toleranceMs).toBeCloseTo(52.63, 2);
    // Below one per second the window is 1 / rate seconds: one request in any two seconds at 0.5/s.
    expect(slotGrid(0.5, 0.95).intervalMs).toBeCloseTo(2105.26, 2);
    expect(slotGrid(0.5, 0.95).toleranceMs).toBeCloseTo(105.26, 2);
  });

  it('refuses a rate of 0, a share of 0 and a share of 1 or more (no slack left for lateness)', () => {
    expect(() => slotGrid(0, 0.95)).toThrow(RangeError);
    expect(() => slotGrid(5, 0)).toThrow(RangeError);
    expect(() => slotGrid(5, 1)).toThrow(RangeError);
  });

  it.each([
    [1, 0.95],
    [2, 0.95],
    [5, 0.95],
    [5, 0.8],
    [10, 0.9],
    [0.5, 0.95],
  ])('slots used anywhere within their tolerance never put more than the rate (%d/s at %d) into any window', (rate, share) => {
    const grid = slotGrid(rate, share);
    const windowMs = 1000 * Math.max(1, 1 / rate);
    const cap = Math.max(1, Math.floor(rate));
    const slots = Array.from({ length: 200 }, (_, i) => i + 1_000_000);
    // The worst case: slots as late as they may be (a hair less, for floating point) beside slots right on time.
    const latest = grid.toleranceMs - 1e-6;
    for (const late of [(i: number) => (i % 2 === 0 ? latest : 0), (i: number) => (i % 3 === 0 ? 0 : latest)]) {
      const times = slots.map((slot, i) => slotStart(grid, slot) + late(i));
      expect(times.every((t, i) => isUsable(grid, slots[i]!, t))).toBe(true);
      expect(busiestWindow(times, windowMs)).toBeLessThanOrEqual(cap);
    }
  });

  it('offers the current slot while half its tolerance remains, else the next, and never one tried before', () => {
    const grid = slotGrid(5, 0.95);
    const start = slotStart(grid, 100);
    expect(firstCandidate(grid, start + 10, Number.NEGATIVE_INFINITY)).toBe(100);
    expect(firstCandidate(grid, start + 40, Number.NEGATIVE_INFINITY)).toBe(101);
    expect(firstCandidate(grid, start + 10, 100)).toBe(101);
    expect(firstCandidate(grid, start + 10, 104)).toBe(105);
    expect(isUsable(grid, 100, start + 52)).toBe(true);
    expect(isUsable(grid, 100, start + 53)).toBe(false);
  });
});
