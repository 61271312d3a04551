// Per-account faults that stay in place until used up or cleared: 5xx, rate limits, slowness.

import type { PlatformId } from '../../platforms/types.js';

export interface AccountFaults {
  failRemaining: number;
  failStatus?: number;
  rateLimitUntil?: number;
  delayMs?: number;
}

export type ActiveFault = { kind: 'fail'; status?: number } | { kind: 'rateLimit'; until: number };

export class FaultStore {
  private readonly faults = new Map<string, AccountFaults>();

  private key(platform: PlatformId, externalId: string): string {
    return `${platform}:${externalId}`;
  }

  edit(platform: PlatformId, externalId: string): AccountFaults {
    const key = this.key(platform, externalId);
    let faults = this.faults.get(key);
    if (!faults) {
      faults = { failRemaining: 0 };
      this.faults.set(key, faults);
    }
    return faults;
  }

  clear(platform: PlatformId, externalId: string): void {
    this.faults.delete(this.key(platform, externalId));
  }

  /** Longest delay configured for any of the account's ids. */
  delayMs(platform: PlatformId, ids: string[]): number {
    return Math.max(0, ...ids.map((id) => this.faults.get(this.key(platform, id))?.delayMs ?? 0));
  }

  /** The fault this call hits, consuming one of the "fail next N" if that is it. */
  take(platform: PlatformId, ids: string[], now: number): ActiveFault | undefined {
    let until = 0;
    for (const id of ids) until = Math.max(until, this.faults.get(this.key(platform, id))?.rateLimitUntil ?? 0);
    if (until > now) return { kind: 'rateLimit', until };
    for (const id of ids) {
      const faults = this.faults.get(this.key(platform, id));
      if (faults && faults.failRemaining > 0) {
        faults.failRemaining -= 1;
        return { kind: 'fail', status: faults.failStatus };
      }
    }
    return undefined;
  }

  reset(): void {
    this.faults.clear();
  }
}

/** Fixed-window limiter for a platform's token endpoint (benchmarks). */
export class TokenEndpointLimiter {
  private readonly windows = new Map<PlatformId, { start: number; count: number }>();

  /** Returns the window's end when over the limit, else undefined (and counts the request). */
  hit(platform: PlatformId, limit: { limit: number; windowSec: number } | undefined, now: number): number | undefined {
    if (!limit) return undefined;
    const windowMs = limit.windowSec * 1000;
    let window = this.windows.get(platform);
    if (!window || now >= window.start + windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(platform, window);
    }
    if (window.count >= limit.limit) return window.start + windowMs;
    window.count += 1;
    return undefined;
  }

  reset(): void {
    this.windows.clear();
  }
}
