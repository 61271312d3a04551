import type { Models } from './models/index.js';

// Counted hits of a rate limit (web/rate-limit-store.ts): one inserted document per hit, shared by
// every web instance.

type Hits = Pick<Models, 'RateLimitHit'>;

export async function recordHit(models: Hits, key: string, at: Date): Promise<void> {
  await models.RateLimitHit.create({ key, at });
}

/** When each hit of `key` since `since` happened, oldest first. */
export async function hitTimesSince(models: Hits, key: string, since: Date): Promise<Date[]> {
  const hits = await models.RateLimitHit.find({ key, at: { $gte: since } }, { at: 1 }).sort({ at: 1 }).lean();
  return hits.map((hit) => hit.at);
}

export async function removeLatestHit(models: Hits, key: string): Promise<void> {
  await models.RateLimitHit.findOneAndDelete({ key }, { sort: { at: -1 } });
}

export async function removeHits(models: Hits, key: string): Promise<void> {
  await models.RateLimitHit.deleteMany({ key });
}

export async function removeHitsBefore(models: Hits, before: Date): Promise<void> {
  await models.RateLimitHit.deleteMany({ at: { $lt: before } });
}
