import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { mediaFiles } from '../../db/media.js';
import type { Models } from '../../db/models/index.js';
import type { PostMedia } from '../../db/models/post.js';
import type { PenNameScope } from '../../db/models/pen-name.js';
import { formatBytes } from '../../platforms/media-rules.js';
import type { MediaInfo } from '../../platforms/types.js';
import { inspectBuffer, inspectFile } from './inspect.js';

// Media a person attaches to a post: inspected first (type from the bytes, size, duration, frame
// size), checked against every chosen platform by the caller, and only then stored.

/** Tether's own ceiling per file, below which each platform's limit applies; also the multipart limit. */
export const MAX_MEDIA_BYTES = 1024 * 1024 * 1024;
/** Files per post (LinkedIn and Threads take up to 20). */
export const MAX_MEDIA_FILES = 20;

/** A file waiting on disk (an upload or a fetched URL) with what the person wrote about it. */
export interface IncomingMedia {
  path: string;
  /** How the person named it, for messages ("photo.png", or the URL). */
  label: string;
  alt?: string;
  source: 'upload' | 'url';
}

export type InspectedMedia = IncomingMedia & { info: MediaInfo };

/** Reads every file; the first unreadable one is the answer. */
export async function inspectIncoming(files: IncomingMedia[]): Promise<{ ok: true; media: InspectedMedia[] } | { ok: false; problem: string }> {
  const media: InspectedMedia[] = [];
  for (const file of files) {
    const inspected = await inspectFile(file.path);
    if (!inspected.ok) return { ok: false, problem: `${file.label} ${inspected.problem}` };
    if (inspected.info.bytes > MAX_MEDIA_BYTES) return { ok: false, problem: `${file.label} is over Tether's limit of ${formatBytes(MAX_MEDIA_BYTES)}` };
    media.push({ ...file, info: { ...inspected.info, ...(file.alt ? { alt: file.alt } : {}) } });
  }
  return { ok: true, media };
}

/** Stores checked files in GridFS (streamed from disk); answers the post's media list in order. */
export async function storeIncoming(models: Models, scope: PenNameScope, media: InspectedMedia[], now: Date): Promise<PostMedia[]> {
  const files = mediaFiles(models);
  const stored: PostMedia[] = [];
  for (const item of media) {
    const sha256 = await hashFile(item.path);
    const { kind, mimeType, bytes, width, height, durationSec } = item.info;
    const saved = await files.save(
      { ownerId: scope.ownerId, penNameId: scope.penNameId, kind, mimeType, bytes, width, height, durationSec, sha256, source: item.source },
      createReadStream(item.path),
      now,
    );
    stored.push({ mediaId: saved._id, kind, ...(item.alt ? { alt: item.alt } : {}) });
  }
  return stored;
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** A bundled file (test posts), stored once under an id derived from its bytes. */
export async function storeSample(models: Models, file: string, now: Date): Promise<PostMedia> {
  const bytes = await readFile(file);
  const inspected = await inspectBuffer(bytes);
  if (!inspected.ok) throw new Error(`bundled sample ${file} ${inspected.problem}`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const id = `sample-${sha256.slice(0, 24)}`;
  const existing = await models.Media.findById(id).lean();
  const { kind, mimeType, width, height, durationSec } = inspected.info;
  if (!existing) {
    await mediaFiles(models).save(
      { _id: id, ownerId: 'tether', penNameId: 'tether', kind, mimeType, bytes: bytes.length, width, height, durationSec, sha256, source: 'sample' },
      bytes,
      now,
    );
  }
  return { mediaId: id, kind };
}
