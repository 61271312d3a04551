import type { Config } from '../../config/index.js';
import { findMediaById } from '../../db/media.js';
import type { Media } from '../../db/models/media.js';
import type { Models } from '../../db/models/index.js';
import { mediaUrlSignerFor } from './signed-url.js';

/** A path's parts under `/media/`: `<expires>/<signature>/<mediaId>.<ext>` (signed-url.ts). */
export interface SignedMediaPath {
  expires: string;
  signature: string;
  file: string;
}

/**
 * Opens the stored file a signed media address names: undefined when the signature is malformed,
 * expired or forged, or the file is gone, the same answer for each, so addresses cannot be probed.
 */
export function signedMediaOpener(deps: { config: Pick<Config, 'web' | 'tokenEncryptionKey'>; models: Pick<Models, 'Media'> }) {
  const signer = mediaUrlSignerFor(deps.config);
  return async (path: SignedMediaPath, now: Date): Promise<Media | undefined> => {
    const verified = signer.verify(path, now);
    return verified.ok ? await findMediaById(deps.models, verified.mediaId) : undefined;
  };
}
