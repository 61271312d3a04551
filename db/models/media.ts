import { Schema, type Connection } from 'mongoose';

// A media file Tether stores for posts (its bytes live in GridFS, bucket `media`): the type sniffed
// from its bytes and what its metadata says, checked against the platforms before it was stored.

export const MEDIA_KINDS = ['image', 'video'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export interface Media {
  _id: string;
  ownerId: string;
  penNameId: string;
  kind: MediaKind;
  mimeType: string;
  bytes: number;
  width?: number;
  height?: number;
  durationSec?: number;
  /** SHA-256 of the bytes (hex): a bundled sample is stored once. */
  sha256: string;
  /** The GridFS file holding the bytes. */
  fileId: string;
  /** Where the bytes came from: an upload, a URL Tether fetched, or a bundled sample. */
  source: 'upload' | 'url' | 'sample';
  createdAt: Date;
}

const mediaSchema = new Schema<Media>(
  {
    _id: { type: String, required: true },
    ownerId: { type: String, required: true, index: true },
    penNameId: { type: String, required: true },
    kind: { type: String, enum: MEDIA_KINDS, required: true },
    mimeType: { type: String, required: true },
    bytes: { type: Number, required: true },
    width: Number,
    height: Number,
    durationSec: Number,
    sha256: { type: String, required: true },
    fileId: { type: String, required: true },
    source: { type: String, enum: ['upload', 'url', 'sample'], required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'media', versionKey: false },
);

export function mediaModel(connection: Connection) {
  return connection.model<Media>('Media', mediaSchema);
}
