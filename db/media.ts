import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import mongoose from 'mongoose';
import { isDuplicateKey } from './duplicate-key.js';
import type { Models } from './models/index.js';
import { mediaUploadIdOf } from './models/media-upload.js';
import type { Media } from './models/media.js';

const { GridFSBucket, ObjectId } = mongoose.mongo;

// Media bytes in GridFS (bucket `media`, on MongoDB 7 and FerretDB 1.24 alike: plain documents and a
// unique index, nothing else) with their description in `media`; and the upload records a publish
// keeps per (target, media, step).

export type NewMedia = Omit<Media, '_id' | 'fileId' | 'createdAt'> & { _id?: string };

export interface MediaFiles {
  /** Stores the bytes, then the description; a crash in between leaves only unreferenced bytes. */
  save(media: NewMedia, bytes: Buffer | Readable, now: Date): Promise<Media>;
  /** Bytes [start, end) of a stored file. */
  read(media: Pick<Media, 'fileId'>, start: number, end: number): Promise<Buffer>;
  /** The file as a stream, optionally only bytes [start, end). */
  stream(media: Pick<Media, 'fileId'>, range?: { start: number; end: number }): Readable;
}

export function mediaFiles(models: Pick<Models, 'Media'>): MediaFiles {
  let bucket: InstanceType<typeof GridFSBucket> | undefined;
  const files = () => {
    const db = models.Media.db.db;
    if (!db) throw new Error('database connection is not open');
    return (bucket ??= new GridFSBucket(db, { bucketName: 'media' }));
  };
  return {
    async save(input, bytes, now) {
      const upload = files().openUploadStream(input._id ?? 'media', { metadata: { ownerId: input.ownerId, mimeType: input.mimeType } });
      await pipeline(Buffer.isBuffer(bytes) ? Readable.from([bytes]) : bytes, upload);
      const media: Media = { ...input, _id: input._id ?? randomUUID(), fileId: upload.id.toString(), createdAt: now };
      try {
        await models.Media.create(media);
        return media;
      } catch (error) {
        // A sample stored by another request meanwhile: keep that one.
        if (!isDuplicateKey(error) || !input._id) throw error;
        await files().delete(upload.id);
        const existing = await models.Media.findById(input._id).lean();
        if (!existing) throw error;
        return existing;
      }
    },
    async read(media, start, end) {
      if (end <= start) return Buffer.alloc(0);
      const chunks: Buffer[] = [];
      for await (const chunk of files().openDownloadStream(new ObjectId(media.fileId), { start, end })) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    stream(media, range) {
      return files().openDownloadStream(new ObjectId(media.fileId), range);
    },
  };
}

export async function findMedia(models: Pick<Models, 'Media'>, ids: string[]): Promise<Media[]> {
  if (ids.length === 0) return [];
  const found = await models.Media.find({ _id: { $in: ids } }).lean();
  const byId = new Map(found.map((media) => [media._id, media]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function findMediaById(models: Pick<Models, 'Media'>, id: string): Promise<Media | undefined> {
  return (await models.Media.findById(id).lean()) ?? undefined;
}

/** The platform reference an earlier attempt recorded, unless the platform has forgotten it by `now`. */
export async function recallUpload(models: Pick<Models, 'MediaUpload'>, input: { targetId: string; mediaId: string; step: string }, now: Date): Promise<string | undefined> {
  const found = await models.MediaUpload.findById(mediaUploadIdOf(input.targetId, input.mediaId, input.step)).lean();
  if (!found || (found.expiresAt && found.expiresAt.getTime() <= now.getTime() + 60_000)) return undefined;
  return found.ref;
}

export async function recordUpload(
  models: Pick<Models, 'MediaUpload'>,
  input: { targetId: string; mediaId: string; step: string; ref: string; expiresAt?: Date },
  now: Date,
): Promise<void> {
  const { targetId, mediaId, step, ref, expiresAt } = input;
  await models.MediaUpload.updateOne(
    { _id: mediaUploadIdOf(targetId, mediaId, step) },
    { $set: { targetId, ref, createdAt: now, ...(expiresAt ? { expiresAt } : {}) }, ...(expiresAt ? {} : { $unset: { expiresAt: 1 } }) },
    { upsert: true },
  );
}

/** Upload records of one target (tests and the crash test read them). */
export async function uploadsOf(models: Pick<Models, 'MediaUpload'>, targetId: string) {
  return models.MediaUpload.find({ targetId }).lean();
}
