import type { TokenKeyring } from '../config/token-keys.js';
import { createCredentialStore } from '../db/credentials.js';
import { SealError } from '../db/crypto.js';
import type { Models } from '../db/models/index.js';

// Re-seals every stored credential that an older key sealed with the newest key, so the older keys
// can be dropped from the configuration. Renewals re-seal as they go; this does the rest at once.
// Safe to run while workers run and to run twice: a stored version never changes, and the head is
// re-sealed only while it copies the version being re-sealed (db/credentials.ts).

export interface RotationProgress {
  /** Documents an older key sealed when the run started. */
  total: number;
  resealed: number;
  /** Removed by a renewal before the run reached them: the version it stored is sealed with the newest key. */
  changed: number;
  /** Sealed with a key that is not configured: they cannot be opened, so they cannot be re-sealed. */
  unreadable: number;
}

export interface RotationOptions {
  models: Models;
  keys: TokenKeyring;
  batchSize?: number;
  onProgress?: (progress: RotationProgress) => void;
}

export async function rotateTokenKey(options: RotationOptions): Promise<RotationProgress & { remaining: number }> {
  const store = createCredentialStore(options.models, options.keys);
  const batchSize = options.batchSize ?? 100;
  const progress: RotationProgress = { total: await store.countSealedWithOlderKeys(), resealed: 0, changed: 0, unreadable: 0 };
  const unreadable: string[] = [];
  options.onProgress?.({ ...progress });
  for (;;) {
    const batch = await store.findSealedWithOlderKeys(batchSize, unreadable);
    if (batch.length === 0) break;
    for (const doc of batch) {
      try {
        progress[await store.resealWithCurrentKey(doc)]++;
      } catch (error) {
        if (!(error instanceof SealError)) throw error;
        unreadable.push(doc._id);
        progress.unreadable++;
      }
    }
    options.onProgress?.({ ...progress });
  }
  return { ...progress, remaining: await store.countSealedWithOlderKeys() };
}
