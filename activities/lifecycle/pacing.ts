import pThrottle from 'p-throttle';
import type { PlatformId } from '../../platforms/types.js';

// Token requests of one worker process, spaced evenly per platform. The renewal task queue's rate
// limit is the ceiling across workers, but it hands out up to twice its rate within a sliding
// second (`npm run bench -- dispatch`), and a platform answers that with 429s. Requests spaced at
// least 1 / (share × rate) apart never put more than the rate into any second, sliding or fixed.

/** Waits until this process may send the platform its next token request. */
export type TokenRequestPacer = (platform: PlatformId) => Promise<void>;

export const UNPACED: TokenRequestPacer = () => Promise.resolve();

/** The gap between two token requests to one platform: 1 / (share × rate) seconds, in ms. */
export function pacingIntervalMs(ratePerSecond: number, share: number): number {
  if (!(ratePerSecond > 0) || !(share > 0) || share > 1) throw new RangeError(`pacing needs a rate above 0 and a share in (0, 1], got ${ratePerSecond} and ${share}`);
  return 1000 / (ratePerSecond * share);
}

/**
 * A pacer per platform at `share` of its rate: one request per interval, first come first served.
 * @param ratesPerSecond each platform's renewal rate (RENEWALS_PER_SECOND with the built-in defaults)
 */
export function createTokenRequestPacer(ratesPerSecond: Record<PlatformId, number>, share: number): TokenRequestPacer {
  const gates = new Map<PlatformId, () => Promise<void>>();
  return (platform) => {
    let gate = gates.get(platform);
    if (!gate) {
      const throttle = pThrottle({ limit: 1, interval: pacingIntervalMs(ratesPerSecond[platform], share), strict: true });
      gate = throttle(async () => {});
      gates.set(platform, gate);
    }
    return gate();
  };
}
