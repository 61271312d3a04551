// Call, refresh and publish counters: globally, per platform and per account.

import type { PlatformId } from '../../platforms/types.js';
import type { Counters } from '../api-types.js';

function empty(): Counters {
  return { refreshes: 0, refreshTokenReuse: 0, tokensIssued: 0, publishAttempts: 0, publishReplays: 0, publishDuplicates: 0, calls: {} };
}

export type CounterField = Exclude<keyof Counters, 'calls'>;

export class CounterStore {
  private global = empty();
  private readonly platforms = new Map<PlatformId, Counters>();
  private readonly accounts = new Map<string, Counters>();

  private targets(platform: PlatformId, ids: string[]): Counters[] {
    let forPlatform = this.platforms.get(platform);
    if (!forPlatform) {
      forPlatform = empty();
      this.platforms.set(platform, forPlatform);
    }
    const list = [this.global, forPlatform];
    for (const id of new Set(ids)) {
      const key = `${platform}:${id}`;
      let counters = this.accounts.get(key);
      if (!counters) {
        counters = empty();
        this.accounts.set(key, counters);
      }
      list.push(counters);
    }
    return list;
  }

  bump(platform: PlatformId, ids: string[], field: CounterField): void {
    for (const counters of this.targets(platform, ids)) counters[field] += 1;
  }

  call(platform: PlatformId, ids: string[], endpoint: string): void {
    for (const counters of this.targets(platform, ids)) counters.calls[endpoint] = (counters.calls[endpoint] ?? 0) + 1;
  }

  get(platform?: PlatformId, externalId?: string): Counters {
    const found = !platform ? this.global : externalId ? this.accounts.get(`${platform}:${externalId}`) : this.platforms.get(platform);
    return structuredClone(found ?? empty());
  }

  reset(): void {
    this.global = empty();
    this.platforms.clear();
    this.accounts.clear();
  }
}
