import type { PlatformId } from '../../platforms/types.js';

// Token requests of one worker process, spaced evenly per platform. The renewal task queue's rate
// limit is the ceiling across workers, but it hands out up to twice its rate within a sliding
// second (`npm run bench -- dispatch`), and a platform answers that with 429s. Requests spaced at
// least 1 / (share × rate) apart never put more than the rate into any second, sliding or fixed.
//
// Hand-written rather than p-throttle: p-throttle (strict) gives each waiting call its own timer at
// a time fixed when it queued, so after an event-loop stall every overdue timer fires in the same
// turn and the waiting requests leave together. Here one timer releases one request, and the next
// is due an interval after that release actually happened.

/** Waits until this process may send the platform its next token request. */
export type TokenRequestPacer = (platform: PlatformId) => Promise<void>;

export const UNPACED: TokenRequestPacer = () => Promise.resolve();

/** The gap between two token requests to one platform: 1 / (share × rate) seconds, in ms. */
export function pacingIntervalMs(ratePerSecond: number, share: number): number {
  if (!(ratePerSecond > 0) || !(share > 0) || share > 1) throw new RangeError(`pacing needs a rate above 0 and a share in (0, 1], got ${ratePerSecond} and ${share}`);
  return 1000 / (ratePerSecond * share);
}

/** First come first served, one release per interval, measured from the previous actual release. */
class SpacedGate {
  private readonly waiting: (() => void)[] = [];
  private lastRelease = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs: number) {}

  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.releaseWhenDue();
    });
  }

  private releaseWhenDue(): void {
    if (this.timer !== undefined || this.waiting.length === 0) return;
    const dueIn = this.lastRelease + this.intervalMs - performance.now();
    if (dueIn > 0) {
      // Timers may fire a fraction of a millisecond early: releaseWhenDue checks again then.
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.releaseWhenDue();
      }, Math.ceil(dueIn));
      return;
    }
    this.lastRelease = performance.now();
    this.waiting.shift()!();
    this.releaseWhenDue();
  }
}

/**
 * A pacer per platform at `share` of its rate: one request per interval, first come first served.
 * @param ratesPerSecond each platform's renewal rate (RENEWALS_PER_SECOND with the built-in defaults)
 */
export function createTokenRequestPacer(ratesPerSecond: Record<PlatformId, number>, share: number): TokenRequestPacer {
  const gates = new Map<PlatformId, SpacedGate>();
  return (platform) => {
    let gate = gates.get(platform);
    if (!gate) {
      gate = new SpacedGate(pacingIntervalMs(ratesPerSecond[platform], share));
      gates.set(platform, gate);
    }
    return gate.wait();
  };
}
