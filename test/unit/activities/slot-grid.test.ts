import { describe, expect, it } from 'vitest';
import { firstCandidate, isUsable, slotGrid, slotStart } from '../../../activities/lifecycle/slot-grid.js';
import { busiestWindow } from '../../helpers/windows.js';

describe('the token-request slot grid', () => {
  it('spaces slots 1 / (share × rate) apart and lets them be used half as late as the share leaves room for', () => {
    expect(slotGrid(5, 0.95)).toMatchObject({ intervalMs: expect.closeTo(210.53, 2), slackMs: expect.closeTo(52.63, 2), toleranceMs: expect.closeTo(26.32, 2) });
    expect(slotGrid(2, 0.95).slackMs).toBeCloseTo(52.63, 2);
    // Below one per second the window is 1 / rate seconds: one request in any two seconds at 0.5/s.
    expect(slotGrid(0.5, 0.95)).toMatchObject({ intervalMs: expect.closeTo(2105.26, 2), slackMs: expect.closeTo(105.26, 2) });
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
  ])('requests reaching the platform anywhere within their slack never put more than the rate (%d/s at %d) into any window', (rate, share) => {
    const grid = slotGrid(rate, share);
    const windowMs = 1000 * Math.max(1, 1 / rate);
    const cap = Math.max(1, Math.floor(rate));
    const slots = Array.from({ length: 200 }, (_, i) => i + 1_000_000);
    // The worst case: requests as late as they may be (a hair less, for floating point) beside requests right on time.
    const latest = grid.slackMs - 1e-6;
    for (const late of [(i: number) => (i % 2 === 0 ? latest : 0), (i: number) => (i % 3 === 0 ? 0 : latest)]) {
      const times = slots.map((slot, i) => slotStart(grid, slot) + late(i));
      expect(busiestWindow(times, windowMs)).toBeLessThanOrEqual(cap);
    }
    // Released at the last usable moment, a request still has half the slack to reach the platform.
    expect(isUsable(grid, slots[0]!, slotStart(grid, slots[0]!) + grid.toleranceMs - 1e-6)).toBe(true);
    expect(isUsable(grid, slots[0]!, slotStart(grid, slots[0]!) + grid.slackMs / 2 + 1)).toBe(false);
  });

  it('offers the current slot while half its tolerance remains, else the next, and never one tried before', () => {
    const grid = slotGrid(5, 0.95);
    const start = slotStart(grid, 100);
    expect(firstCandidate(grid, start + 10, Number.NEGATIVE_INFINITY)).toBe(100);
    expect(firstCandidate(grid, start + 20, Number.NEGATIVE_INFINITY)).toBe(101);
    expect(firstCandidate(grid, start + 10, 100)).toBe(101);
    expect(firstCandidate(grid, start + 10, 104)).toBe(105);
    expect(isUsable(grid, 100, start + 26)).toBe(true);
    expect(isUsable(grid, 100, start + 27)).toBe(false);
  });
});
