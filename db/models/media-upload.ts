import { Schema, type Connection } from 'mongoose';

// What a publish uploaded to a platform, per (post target, media file, step): the platform's media
// id, container id or upload session. A retried publish reads it back instead of uploading again.
// `_id` is `<targetId>|<mediaId>|<step>`, so recording is one idempotent upsert.

export interface MediaUpload {
  _id: string;
  targetId: string;
  ref: string;
  /** When the platform forgets the upload (X media ids, Meta containers); absent: never. */
  expiresAt?: Date;
  createdAt: Date;
}

const mediaUploadSchema = new Schema<MediaUpload>(
  {
    _id: { type: String, required: true },
    targetId: { type: String, required: true, index: true },
    ref: { type: String, required: true },
    expiresAt: Date,
    createdAt: { type: Date, required: true },
  },
  { collection: 'media_uploads', versionKey: false },
);

export const mediaUploadIdOf = (targetId: string, mediaId: string, step: string) => `${targetId}|${mediaId}|${step}`;

export function mediaUploadModel(connection: Connection) {
  return connection.model<MediaUpload>('MediaUpload', mediaUploadSchema);
}
