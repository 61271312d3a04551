import type { PlatformId } from '../../platforms/types.js';

/**
 * Renewals of each platform run on their own activity task queue, served by a worker whose
 * `maxTaskQueueActivitiesPerSecond` matches that platform's limit: a storm of tokens expiring
 * together is renewed as fast as the platform allows and no faster.
 */
export function renewalTaskQueue(mainTaskQueue: string, platform: PlatformId): string {
  return `${mainTaskQueue}.renewals.${platform}`;
}
