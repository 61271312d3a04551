import { findMedia, mediaFiles, recallUpload, recordUpload } from '../../db/media.js';
import type { Models } from '../../db/models/index.js';
import type { Media } from '../../db/models/media.js';
import type { PostMedia } from '../../db/models/post.js';
import type { MediaFile, MediaInfo, UploadLedger } from '../../platforms/types.js';
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
    return {
      ...describe(media, postMedia[index]?.alt),
      id: media._id,
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

/** A post's stored media as the platforms check them (editing a post re-checks its waiting targets). */
export async function storedMediaInfo(models: Models, postMedia: PostMedia[] | undefined, publicUrl: string): Promise<MediaInfo[]> {
  if (!postMedia?.length) return [];
  const stored = await findMedia(models, postMedia.map((m) => m.mediaId));
  return stored.map((media, index) => ({ ...describe(media, postMedia[index]?.alt), url: `${publicUrl}/media/` }));
}

function describe(media: Media, alt: string | undefined): Omit<MediaInfo, 'url'> {
  return {
    kind: media.kind,
    mimeType: media.mimeType,
    bytes: media.bytes,
    ...(media.width ? { width: media.width } : {}),
    ...(media.height ? { height: media.height } : {}),
    ...(media.durationSec !== undefined ? { durationSec: media.durationSec } : {}),
    ...(alt ? { alt } : {}),
  };
}

/** How long the owner's own page may show a stored file. */
const PREVIEW_LIFETIME_MS = 3600_000;

/** A post's media for its page: each file's kind, alt text and a short-lived signed address. */
export async function mediaPreviews(models: Models, signer: MediaUrlSigner, postMedia: PostMedia[] | undefined, now: Date): Promise<{ kind: 'image' | 'video'; url: string; alt: string }[]> {
  if (!postMedia?.length) return [];
  const stored = await findMedia(models, postMedia.map((m) => m.mediaId));
  const expiresAt = new Date(now.getTime() + PREVIEW_LIFETIME_MS);
  return stored.map((media) => ({
    kind: media.kind,
    url: signer.url({ id: media._id, mimeType: media.mimeType }, expiresAt),
    alt: postMedia.find((m) => m.mediaId === media._id)?.alt ?? '',
  }));
}
