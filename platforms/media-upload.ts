// What every adapter that uploads media shares: uploads recorded per (publish, media, step) so a
// retried publish reuses the platform's media id, byte ranges for chunked uploads, and waiting for
// a platform to finish processing.

import { ok, transient } from './outcome.js';
import type { MediaFile, Outcome, PostInput } from './types.js';

/**
 * Runs `upload` unless an earlier attempt of this publish already did and recorded it; answers the
 * platform's reference either way. A crash after the platform answered but before the record leaves
 * an unused upload behind, never a second post.
 */
export async function uploadOnce(
  post: Pick<PostInput, 'uploads'>,
  media: Pick<MediaFile, 'id'>,
  step: string,
  upload: () => Promise<Outcome<{ ref: string; expiresAt?: Date }>>,
): Promise<Outcome<string>> {
  const known = await post.uploads?.recall(media.id, step);
  if (known) return ok(known);
  const result = await upload();
  if (result.kind !== 'ok') return result;
  await post.uploads?.record(media.id, step, result.value.ref, result.value.expiresAt);
  return ok(result.value.ref);
}

/** Consecutive byte ranges of at most `size` bytes covering `total` bytes. */
export function byteRanges(total: number, size: number): { index: number; start: number; end: number }[] {
  const ranges = [];
  for (let start = 0, index = 0; start < total; start += size, index += 1) ranges.push({ index, start, end: Math.min(total, start + size) });
  return ranges;
}

/** How long to wait for a platform to process an upload; a publish retries later when it runs out. */
export interface ProcessingPoll {
  intervalMs: number;
  attempts: number;
}
export const DEFAULT_PROCESSING_POLL: ProcessingPoll = { intervalMs: 3_000, attempts: 10 };

export type ProcessingState = { state: 'done' } | { state: 'pending'; afterMs?: number } | { state: 'failed'; message: string };

/**
 * Reads a processing status until it is done or failed. Still pending after the last read is
 * transient: the publish is retried later and continues from the recorded upload.
 */
export async function waitForProcessing(
  poll: ProcessingPoll,
  platformName: string,
  read: () => Promise<Outcome<ProcessingState>>,
  onProgress?: (what: string) => void,
): Promise<Outcome<void>> {
  for (let attempt = 1; attempt <= poll.attempts; attempt += 1) {
    const status = await read();
    if (status.kind !== 'ok') return status;
    const value = status.value;
    if (value.state === 'done') return ok(undefined);
    if (value.state === 'failed') return { kind: 'invalid', message: value.message };
    onProgress?.(`${platformName} is processing the upload`);
    if (attempt < poll.attempts) await new Promise((resolve) => setTimeout(resolve, Math.min(value.afterMs ?? poll.intervalMs, poll.intervalMs * 4)));
  }
  return transient(`${platformName} is still processing the upload; Tether will try again`);
}

/** The post's images and its video, in the order given. */
export function mediaOf(post: Pick<PostInput, 'media'>): { images: MediaFile[]; video?: MediaFile } {
  const media = post.media ?? [];
  return { images: media.filter((m) => m.kind === 'image'), video: media.find((m) => m.kind === 'video') };
}

/** The whole file (small images). */
export const readAll = (media: MediaFile) => media.read(0, media.bytes);

/** The first line of a text, cut to `max` characters (titles). */
export function firstLine(text: string, max: number): string {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : line;
}
