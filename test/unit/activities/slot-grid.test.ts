import { describe, expect, it } from 'vitest';
import { nextClaim, slotGrid, slotStart, type SlotClaim } from '../../../activities/lifecycle/slot-grid.js';
import { prng } from '../../helpers/prng.js';
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
    expect(nextClaim(grid, slotStart(grid, slots[0]!) - 1, Number.NEGATIVE_INFINITY, false).latestAt - slotStart(grid, slots[0]!)).toBeCloseTo(grid.slackMs / 2, 6);
  });

  it('offers the current slot while half its tolerance remains, else the next, and never one tried before', () => {
    const grid = slotGrid(5, 0.95);
    const start = slotStart(grid, 100);
    const none = Number.NEGATIVE_INFINITY;
    expect(nextClaim(grid, start + 10, none, false)).toEqual({ first: 100, span: 1, releaseAt: start, latestAt: start + grid.toleranceMs });
    expect(nextClaim(grid, start + 20, none, false)).toMatchObject({ first: 101, span: 1, releaseAt: slotStart(grid, 101) });
    expect(nextClaim(grid, start + 10, 100, false)).toMatchObject({ first: 101, span: 1 });
    expect(nextClaim(grid, start + 10, 104, true)).toMatchObject({ first: 105, span: 1 });
  });

  it("lets a request alone take the current slot and the next and leave at once, up to the next one's tolerance", () => {
    const grid = slotGrid(5, 0.95);
    const start = slotStart(grid, 100);
    expect(nextClaim(grid, start + 150, Number.NEGATIVE_INFINITY, true)).toEqual({ first: 100, span: 2, releaseAt: start + 150, latestAt: slotStart(grid, 101) + grid.toleranceMs });
    // Early in a slot the slot alone is enough; once the current slot was tried, only later ones are offered.
    expect(nextClaim(grid, start + 5, Number.NEGATIVE_INFINITY, true)).toMatchObject({ first: 100, span: 1 });
    expect(nextClaim(grid, start + 150, 100, true)).toMatchObject({ first: 101, span: 1 });
  });

  it.each([
    [1, 0.95],
    [5, 0.95],
    [5, 0.8],
    [10, 0.9],
    [0.5, 0.95],
  ])('lone requests taking two slots, mixed with queued ones, still never put more than the rate (%d/s at %d) into any window', (rate, share) => {
    const grid = slotGrid(rate, share);
    const windowMs = 1000 * Math.max(1, 1 / rate);
    const cap = Math.max(1, Math.floor(rate));
    const random = prng(rate * 1000 + share * 100);
    let twoSlotClaims = 0;
    for (let round = 0; round < 20; round++) {
      const arrivals: number[] = [];
      let lastTried = Number.NEGATIVE_INFINITY;
      let now = 1_000_000 * grid.intervalMs;
      for (let i = 0; i < 200; i++) {
        // One gate releases one request at a time: each is considered no earlier than the last one left.
        now += random() < 0.5 ? random() * grid.intervalMs * 0.3 : random() * grid.intervalMs * 3;
        const claim: SlotClaim = nextClaim(grid, now, lastTried, random() < 0.5);
        lastTried = claim.first + claim.span - 1;
        if (claim.span === 2) twoSlotClaims++;
        const earliest = Math.max(now, claim.releaseAt);
        // Released anywhere it may be, the last usable moment included.
        const released = random() < 0.2 ? claim.latestAt : earliest + random() * (claim.latestAt - earliest);
        now = released;
        // On its way to the platform a request may take the other half of the slack (a hair less, for floating point).
        arrivals.push(released + (random() < 0.2 ? 1 : random()) * (grid.slackMs - grid.toleranceMs - 1e-6));
      }
      expect(busiestWindow(arrivals, windowMs)).toBeLessThanOrEqual(cap);
    }
    expect(twoSlotClaims).toBeGreaterThan(100);
  });
});

