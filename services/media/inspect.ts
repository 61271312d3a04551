import { open } from 'node:fs/promises';
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import { createFile, MP4BoxBuffer, type Movie } from 'mp4box';
import type { MediaInfo } from '../../platforms/types.js';

// What a file is, read from its bytes (never its name or the type a browser claimed): the type
// from its signature (file-type), an image's size (image-size), a video's duration and frame size
// from its MP4/MOV boxes (mp4box). No FFmpeg is needed.

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp', 'image/tiff', 'image/heic'];
export const VIDEO_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'];

export type Inspection = { ok: true; info: Omit<MediaInfo, 'alt' | 'url'> } | { ok: false; problem: string };

/** Bytes read from the start of a file to find its type and, for images, its size. */
const HEAD_BYTES = 512 * 1024;
/** MP4 boxes are read in slices this big until the movie header has been seen. */
const SLICE_BYTES = 1024 * 1024;

/** Inspects a file on disk (an upload being checked, or a fetched URL). */
export async function inspectFile(path: string): Promise<Inspection> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const read = async (start: number, length: number) => {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - start)));
      await handle.read(buffer, 0, buffer.length, start);
      return buffer;
    };
    return await inspect(size, read);
  } finally {
    await handle.close();
  }
}

export function inspectBuffer(bytes: Buffer): Promise<Inspection> {
  return inspect(bytes.length, async (start, length) => bytes.subarray(start, start + length));
}

async function inspect(size: number, read: (start: number, length: number) => Promise<Buffer>): Promise<Inspection> {
  if (size === 0) return { ok: false, problem: 'is empty' };
  const head = await read(0, HEAD_BYTES);
  const type = await fileTypeFromBuffer(head);
  const mimeType = type?.mime === 'image/heif' ? 'image/heic' : type?.mime;
  if (!mimeType || (!IMAGE_TYPES.includes(mimeType) && !VIDEO_TYPES.includes(mimeType))) {
    return { ok: false, problem: `is not an image or video Tether can publish (${type ? `it is ${type.mime}` : 'its type is unknown'})` };
  }
  if (IMAGE_TYPES.includes(mimeType)) {
    try {
      const dimensions = imageSize(head.length === size ? head : await read(0, Math.min(size, 8 * HEAD_BYTES)));
      return { ok: true, info: { kind: 'image', mimeType, bytes: size, width: dimensions.width, height: dimensions.height } };
    } catch {
      return { ok: true, info: { kind: 'image', mimeType, bytes: size } };
    }
  }
  const movie = mimeType === 'video/webm' ? undefined : await readMovie(size, read);
  const track = movie?.videoTracks[0];
  return {
    ok: true,
    info: {
      kind: 'video',
      mimeType,
      bytes: size,
      ...(movie && movie.timescale > 0 ? { durationSec: movie.duration / movie.timescale } : {}),
      ...(track ? frameSize(track) : {}),
    },
  };
}

/** The movie header of an MP4/MOV, fed to mp4box slice by slice until it is ready (moov may be at the end). */
async function readMovie(size: number, read: (start: number, length: number) => Promise<Buffer>): Promise<Movie | undefined> {
  const file = createFile();
  let movie: Movie | undefined;
  file.onReady = (info) => {
    movie = info;
  };
  file.onError = () => undefined;
  let offset = 0;
  while (!movie && offset < size) {
    const slice = await read(offset, SLICE_BYTES);
    if (slice.length === 0) break;
    const copy = slice.buffer.slice(slice.byteOffset, slice.byteOffset + slice.length);
    try {
      // mp4box answers the next offset it needs (it skips mdat).
      const next = file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(copy, offset));
      offset = typeof next === 'number' && next > offset ? next : offset + slice.length;
    } catch {
      return undefined;
    }
  }
  file.flush();
  return movie;
}

/** The displayed frame size: rotated 90° or 270° by the track matrix (phone video), width and height swap. */
function frameSize(track: Movie['videoTracks'][number]): { width: number; height: number } {
  const width = track.video?.width ?? track.track_width;
  const height = track.video?.height ?? track.track_height;
  const matrix = (track as { matrix?: ArrayLike<number> }).matrix;
  const rotated = matrix !== undefined && matrix[0] === 0 && matrix[4] === 0;
  return rotated ? { width: height, height: width } : { width, height };
}
