import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createInMemorySlotBook, createTokenRequestPacer, type SlotBook, type TokenRequestPacer } from '../../../activities/lifecycle/pacing.js';
import { PLATFORM_IDS, type PlatformId } from '../../../platforms/types.js';
import { renewalRates, renewalSlots } from '../../../worker/create-worker.js';
import { busiestWindow, busiestFixedWindow } from '../../helpers/windows.js';

const rates = (overrides: Partial<Record<PlatformId, number>>) => ({ ...Object.fromEntries(PLATFORM_IDS.map((p) => [p, 5])), ...overrides }) as Record<PlatformId, number>;

/** Starts `count` requests at once; returns the fake-clock times at which each was let through. */
async function releaseTimes(pace: TokenRequestPacer, platform: PlatformId, count: number): Promise<number[]> {
  const started = Date.now();
  const times: number[] = [];
  const all = Promise.all(Array.from({ length: count }, () => pace(platform).then(() => times.push(Date.now() - started))));
  await vi.runAllTimersAsync();
  await all;
  return times;
}

const achievedRate = (times: number[]) => (times.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000);

describe('token request pacing', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it.each([1, 2, 3, 5, 7])('a burst of 60 at %i/s never puts more than the rate into any second, sliding or fixed, and keeps ≥ 90 %% of it', async (rate) => {
    const pace = createTokenRequestPacer(rates({ x: rate }), 0.95, createInMemorySlotBook());
    const times = await releaseTimes(pace, 'x', 60);
    expect(times).toHaveLength(60);
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(rate);
    for (const offset of [0, 100, 333, 999]) expect(busiestFixedWindow(times, 1000, offset)).toBeLessThanOrEqual(rate);
    expect(achievedRate(times)).toBeGreaterThanOrEqual(0.9 * rate);
    expect(achievedRate(times)).toBeLessThanOrEqual(rate);
  });

  it('two processes on one slot book share the rate, and one alone takes all of it', async () => {
    const book = createInMemorySlotBook();
    const first = createTokenRequestPacer(rates({ x: 5 }), 0.95, book);
    const second = createTokenRequestPacer(rates({ x: 5 }), 0.95, book);
    const started = Date.now();
    const together: number[] = [];
    const both = Promise.all(
      [first, second].flatMap((pace) => Array.from({ length: 30 }, () => pace('x').then(() => together.push(Date.now() - started)))),
    );
    await vi.runAllTimersAsync();
    await both;
    expect(together).toHaveLength(60);
    expect(busiestWindow(together, 1000)).toBeLessThanOrEqual(5);
    expect(achievedRate(together)).toBeGreaterThanOrEqual(4.5);
    // The second process has left: the first alone goes on at the whole rate, not at half.
    const alone = await releaseTimes(first, 'x', 20);
    expect(busiestWindow(alone, 1000)).toBeLessThanOrEqual(5);
    expect(achievedRate(alone)).toBeGreaterThanOrEqual(4.5);
  });

  it.each([0, 60, 150, 209])('lets a request alone through at once, %i ms into a slot, and the next one no sooner than an interval later', async (intoSlot) => {
    const intervalMs = 1000 / (0.95 * 5);
    const pace = createTokenRequestPacer(rates({}), 0.95, createInMemorySlotBook());
    await releaseTimes(pace, 'x', 3);
    await vi.advanceTimersByTimeAsync(5000);
    await vi.advanceTimersByTimeAsync(Math.ceil(Date.now() / intervalMs) * intervalMs - Date.now() + intoSlot);
    const [alone] = await releaseTimes(pace, 'x', 1);
    expect(alone).toBe(0);
    // Asked for at the same moment, the next request waits out a whole interval.
    const [next] = await releaseTimes(pace, 'x', 1);
    expect(next).toBeGreaterThanOrEqual(Math.floor(intervalMs));
  });

  it('paces each platform on its own: a backlog on X does not hold LinkedIn back', async () => {
    const pace = createTokenRequestPacer(rates({ x: 1, linkedin: 2 }), 0.95, createInMemorySlotBook());
    const started = Date.now();
    const linkedin: number[] = [];
    const xs = Promise.all(Array.from({ length: 10 }, () => pace('x')));
    const lis = Promise.all(Array.from({ length: 2 }, () => pace('linkedin').then(() => linkedin.push(Date.now() - started))));
    await vi.runAllTimersAsync();
    await Promise.all([xs, lis]);
    expect(linkedin).toHaveLength(2);
    expect(linkedin[1]!).toBeLessThanOrEqual(2 * (1000 / (0.95 * 2)));
  });

  it('fails the waiting request whose slot the book could not answer, and goes on with the next', async () => {
    const memory = createInMemorySlotBook();
    let calls = 0;
    const flaky: SlotBook = { claim: (...args) => (++calls === 1 ? Promise.reject(new Error('database unreachable')) : memory.claim(...args)) };
    const pace = createTokenRequestPacer(rates({}), 0.95, flaky);
    const outcomes = Promise.allSettled([pace('x'), pace('x')]);
    await vi.runAllTimersAsync();
    const [first, second] = await outcomes;
    expect(first).toMatchObject({ status: 'rejected', reason: { message: 'database unreachable' } });
    expect(second).toMatchObject({ status: 'fulfilled' });
  });
});

describe('token request pacing after an event-loop stall (real timers)', () => {
  it('gives up the slots that passed during the stall, so the requests that waited through it do not leave together', async () => {
    const pace = createTokenRequestPacer(rates({ x: 10 }), 0.95, createInMemorySlotBook());
    const started = performance.now();
    const times: number[] = [];
    const all = Promise.all(Array.from({ length: 6 }, () => pace('x').then(() => times.push(performance.now() - started))));
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Block the event loop across the next four slots.
    const blockedUntil = performance.now() + 450;
    while (performance.now() < blockedUntil);
    await all;
    expect(times).toHaveLength(6);
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(10);
    const afterStall = times.filter((t) => t >= 450);
    expect(afterStall.length).toBeGreaterThanOrEqual(4);
    // Slots start 105 ms apart and each may be used up to 26 ms late: never closer than 79 ms.
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThan(75);
  });
});

describe('renewal workers', () => {
  it('take the configured rates over the built-in ones, and hold about two seconds of paced renewals', () => {
    expect(renewalRates({ x: 3 })).toMatchObject({ x: 3, linkedin: 2 });
    expect(renewalSlots(5)).toBe(10);
    expect(renewalSlots(0.5)).toBe(2);
  });
});
