import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Models } from '../db/models/index.js';
import { hitTimesSince, recordHit, removeHits, removeHitsBefore, removeLatestHit } from '../db/rate-limit-hits.js';

/**
 * An express-rate-limit store in MongoDB, shared by every web instance: a hit is an inserted
 * document, the count is the hits in the window. Expired hits are swept every window.
 */
export class MongoRateLimitStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly models: Pick<Models, 'RateLimitHit'>,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.sweeper = setInterval(() => {
      void removeHitsBefore(this.models, new Date(Date.now() - this.windowMs)).catch(() => undefined);
    }, this.windowMs);
    this.sweeper.unref();
  }

  async get(key: string): Promise<ClientRateLimitInfo> {
    return this.count(this.prefix + key);
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    await recordHit(this.models, this.prefix + key, new Date());
    return this.count(this.prefix + key);
  }

  async decrement(key: string): Promise<void> {
    await removeLatestHit(this.models, this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await removeHits(this.models, this.prefix + key);
  }

  shutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  private async count(key: string): Promise<ClientRateLimitInfo> {
    const since = new Date(Date.now() - this.windowMs);
    const hits = await hitTimesSince(this.models, key, since);
    const oldest = hits[0];
    return { totalHits: hits.length, resetTime: new Date((oldest ? oldest.getTime() : Date.now()) + this.windowMs) };
  }
}
