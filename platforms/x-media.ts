// X media upload (API v2): initialize, append chunks, finalize, then read the status until X has
// processed the file; alt text through the media metadata endpoint. Each file's media id is recorded,
// so a retried publish attaches the same upload.

import { z } from 'zod';
import type { PlatformHttp } from './http.js';
import { byteRanges, uploadOnce, waitForProcessing, type ProcessingPoll } from './media-upload.js';
import { MB, type MediaRules } from './media-rules.js';
import { ok } from './outcome.js';
import type { ErrorClassifier } from './http.js';
import type { MediaFile, Outcome, PostInput } from './types.js';

const MEDIA = 'https://api.x.com/2/media';
/** APPEND takes at most 5 MB per request. */
const CHUNK_BYTES = 4 * MB;

export const X_MEDIA: MediaRules = {
  image: { maxCount: 4, types: ['image/jpeg', 'image/png', 'image/webp', 'image/gif'], maxBytes: 5 * MB, maxAltLength: 1_000 },
  video: { types: ['video/mp4', 'video/quicktime'], maxBytes: 512 * MB, minDurationSec: 0.5, maxDurationSec: 140, minAspect: 1 / 3, maxAspect: 3 },
  mixed: false,
};

const processingSchema = z.looseObject({
  state: z.string(),
  check_after_secs: z.number().optional(),
  error: z.looseObject({ message: z.string().optional(), name: z.string().optional() }).optional(),
});
const mediaSchema = z.object({
  data: z.looseObject({ id: z.string().min(1), expires_after_secs: z.number().optional(), processing_info: processingSchema.optional() }),
});

/** Uploads the post's media to X (or finds the earlier attempt's uploads); answers the media ids in order. */
export async function uploadXMedia(
  http: PlatformHttp,
  classify: ErrorClassifier,
  poll: ProcessingPoll,
  accessToken: string,
  post: PostInput,
): Promise<Outcome<string[]>> {
  const ids: string[] = [];
  for (const media of post.media ?? []) {
    const uploaded = await uploadOnce(post, media, 'x-media', () => uploadOne(media));
    if (uploaded.kind !== 'ok') return uploaded;
    // X processes video and GIFs after FINALIZE; images are ready at once.
    if (media.kind === 'video' || media.mimeType === 'image/gif') {
      const ready = await waitForProcessing(poll, 'X', () => status(uploaded.value), post.onProgress);
      if (ready.kind !== 'ok') return ready;
    }
    if (media.alt) {
      const described = await uploadOnce(post, media, 'x-alt', async () => {
        const result = await http.expectSuccess(
          { method: 'POST', url: `${MEDIA}/metadata`, bearer: accessToken, json: { id: uploaded.value, metadata: { alt_text: { text: media.alt } } } },
          classify,
        );
        return result.kind === 'ok' ? ok({ ref: uploaded.value }) : result;
      });
      if (described.kind !== 'ok') return described;
    }
    ids.push(uploaded.value);
  }
  return ok(ids);

  async function uploadOne(media: MediaFile): Promise<Outcome<{ ref: string; expiresAt?: Date }>> {
    const category = media.kind === 'video' ? 'tweet_video' : media.mimeType === 'image/gif' ? 'tweet_gif' : 'tweet_image';
    const started = await http.json(
      { method: 'POST', url: `${MEDIA}/upload/initialize`, bearer: accessToken, json: { media_type: media.mimeType, total_bytes: media.bytes, media_category: category } },
      { schema: mediaSchema, classify, what: 'the media upload' },
    );
    if (started.kind !== 'ok') return started;
    const id = started.value.data.id;
    for (const range of byteRanges(media.bytes, CHUNK_BYTES)) {
      const form = new FormData();
      form.set('segment_index', String(range.index));
      form.set('media', new Blob([await media.read(range.start, range.end)], { type: 'application/octet-stream' }), 'chunk');
      const appended = await http.expectSuccess(
        { method: 'POST', url: `${MEDIA}/upload/${encodeURIComponent(id)}/append`, bearer: accessToken, multipart: form, timeoutMs: 120_000 },
        classify,
      );
      if (appended.kind !== 'ok') return appended;
      post.onProgress?.(`uploaded ${range.end} of ${media.bytes} bytes to X`);
    }
    const finished = await http.json(
      { method: 'POST', url: `${MEDIA}/upload/${encodeURIComponent(id)}/finalize`, bearer: accessToken },
      { schema: mediaSchema, classify, what: 'the media upload' },
    );
    if (finished.kind !== 'ok') return finished;
    const lifetime = finished.value.data.expires_after_secs;
    return ok({ ref: id, ...(lifetime ? { expiresAt: new Date(http.now().getTime() + lifetime * 1000) } : {}) });
  }

  async function status(id: string) {
    const read = await http.json(
      { method: 'GET', url: `${MEDIA}/upload`, query: { command: 'STATUS', media_id: id }, bearer: accessToken },
      { schema: mediaSchema, classify, what: 'the media status' },
    );
    if (read.kind !== 'ok') return read;
    const info = read.value.data.processing_info;
    if (!info || info.state === 'succeeded') return ok({ state: 'done' as const });
    if (info.state === 'failed') {
      const why = info.error?.message ?? info.error?.name;
      return ok({ state: 'failed' as const, message: `X could not process the ${why ? `media (${why.replace(/\.$/, '')})` : 'media'}; check the file` });
    }
    return ok({ state: 'pending' as const, afterMs: (info.check_after_secs ?? 1) * 1000 });
  }
}
