import { findMedia, mediaFiles, recallUpload, recordUpload } from '../../db/media.js';
import type { Models } from '../../db/models/index.js';
import type { PostMedia } from '../../db/models/post.js';
import type { MediaFile, UploadLedger } from '../../platforms/types.js';
import { MEDIA_URL_LIFETIME_MS, type MediaUrlSigner } from './signed-url.js';

// A post's stored media as an adapter publishes them: bytes read from GridFS on demand, a signed
// public address for platforms that fetch, and the upload records of this target.

export async function publishableMedia(models: Models, signer: MediaUrlSigner, postMedia: PostMedia[] | undefined, now: Date): Promise<MediaFile[] | { missing: number }> {
  if (!postMedia?.length) return [];
  const stored = await findMedia(models, postMedia.map((m) => m.mediaId));
  if (stored.length !== postMedia.length) return { missing: postMedia.length - stored.length };
  const files = mediaFiles(models);
  const expiresAt = new Date(now.getTime() + MEDIA_URL_LIFETIME_MS);
  return stored.map((media, index) => {
    const alt = postMedia[index]?.alt;
    return {
      id: media._id,
      kind: media.kind,
      mimeType: media.mimeType,
      bytes: media.bytes,
      ...(media.width ? { width: media.width } : {}),
      ...(media.height ? { height: media.height } : {}),
      ...(media.durationSec !== undefined ? { durationSec: media.durationSec } : {}),
      ...(alt ? { alt } : {}),
      url: signer.url({ id: media._id, mimeType: media.mimeType }, expiresAt),
      read: (start, end) => files.read(media, start, end),
    };
  });
}

/** The upload records of one post target. */
export function uploadLedger(models: Models, targetId: string, clock: () => Date): UploadLedger {
  return {
    recall: (mediaId, step) => recallUpload(models, { targetId, mediaId, step }, clock()),
    record: (mediaId, step, ref, expiresAt) => recordUpload(models, { targetId, mediaId, step, ref, ...(expiresAt ? { expiresAt } : {}) }, clock()),
  };
}
