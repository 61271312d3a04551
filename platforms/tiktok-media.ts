// TikTok Content Posting API media: photo posts pulled from URLs on verified domains, videos pulled
// the same way when Tether's URL is on one, otherwise sent with FILE_UPLOAD in chunks; then the
// publish status is read until TikTok reports PUBLISH_COMPLETE. TikTok honours no idempotency key, so
// the publish id is recorded and a retry follows the same publish instead of starting another.

import { z } from 'zod';
import type { PlatformHttp } from './http.js';
import { MB, type MediaRules } from './media-rules.js';
import { uploadOnce, waitForProcessing, type ProcessingPoll } from './media-upload.js';
import { isFailure, ok } from './outcome.js';
import type { ErrorClassifier } from './http.js';
import type { MediaFile, Outcome, PostInput } from './types.js';

export const TIKTOK_MEDIA: MediaRules = {
  image: { maxCount: 35, types: ['image/jpeg', 'image/webp'], maxBytes: 20 * MB },
  video: { types: ['video/mp4', 'video/webm', 'video/quicktime'], maxBytes: 4096 * MB, minDurationSec: 3, maxDurationSec: 600 },
  mixed: false,
  required: 'media',
};

/** FILE_UPLOAD chunks: 5 to 64 MB, the last may hold up to 128 MB; a file under 5 MB goes whole. */
const MIN_CHUNK = 5 * MB;
const CHUNK = 10 * MB;

const statusSchema = z.looseObject({
  data: z.looseObject({ status: z.string(), fail_reason: z.string().optional(), publicaly_available_post_id: z.array(z.union([z.number(), z.string()])).optional() }),
});
const initSchema = z.looseObject({ data: z.looseObject({ publish_id: z.string().min(1), upload_url: z.string().optional() }) });

type ApiCall = <T>(schema: z.ZodType<T>, what: string, request: Parameters<PlatformHttp['json']>[0]) => Promise<Outcome<T>>;

export interface TikTokPublish {
  http: PlatformHttp;
  api: string;
  apiCall: ApiCall;
  classify: ErrorClassifier;
  accessToken: string;
  poll: ProcessingPoll;
  /** The video's URL is on a verified domain: TikTok can pull it. */
  canPull: (url: string) => boolean;
}

/** The chunk size and count TikTok expects for a file of `size` bytes. */
export function tiktokChunks(size: number): { chunkSize: number; count: number } {
  if (size < MIN_CHUNK) return { chunkSize: size, count: 1 };
  return { chunkSize: CHUNK, count: Math.max(1, Math.floor(size / CHUNK)) };
}

/**
 * Starts the publish (or finds the one an earlier attempt started), sends the video when TikTok
 * cannot pull it, and waits for TikTok to finish. Answers the publish id and the public post id
 * when TikTok gives one (public posts only).
 */
export async function publishTikTokMedia(call: TikTokPublish, post: PostInput, postInfo: Record<string, unknown>): Promise<Outcome<{ publishId: string; postId?: string }>> {
  const media = post.media ?? [];
  const first = media[0]!;
  const video = first.kind === 'video' ? first : undefined;
  const publishId = await uploadOnce(post, first, 'tiktok-publish', () => (video ? startVideo(call, post, video, postInfo) : startPhotos(call, post, media, postInfo)));
  if (publishId.kind !== 'ok') return publishId;
  let postId: string | undefined;
  const done = await waitForProcessing(
    call.poll,
    'TikTok',
    async () => {
      const read = await call.apiCall(statusSchema, 'the publish status', {
        method: 'POST',
        url: `${call.api}/post/publish/status/fetch/`,
        bearer: call.accessToken,
        json: { publish_id: publishId.value },
      });
      if (read.kind !== 'ok') return read;
      const { status, fail_reason: reason, publicaly_available_post_id: ids } = read.value.data;
      if (status === 'PUBLISH_COMPLETE') {
        postId = ids?.[0] === undefined ? undefined : String(ids[0]);
        return ok({ state: 'done' as const });
      }
      if (status === 'FAILED') return ok({ state: 'failed' as const, message: `TikTok could not publish the post${reason ? ` (${reason})` : ''}` });
      return ok({ state: 'pending' as const });
    },
    post.onProgress,
  );
  return done.kind === 'ok' ? ok({ publishId: publishId.value, ...(postId ? { postId } : {}) }) : done;
}

async function startPhotos(call: TikTokPublish, post: PostInput, photos: MediaFile[], postInfo: Record<string, unknown>): Promise<Outcome<{ ref: string }>> {
  const started = await call.apiCall(initSchema, 'the post', {
    method: 'POST',
    url: `${call.api}/post/publish/content/init/`,
    bearer: call.accessToken,
    idempotencyKey: post.idempotencyKey,
    json: {
      post_info: postInfo,
      source_info: { source: 'PULL_FROM_URL', photo_cover_index: 0, photo_images: photos.map((photo) => photo.url) },
      post_mode: 'DIRECT_POST',
      media_type: 'PHOTO',
    },
  });
  return started.kind === 'ok' ? ok({ ref: started.value.data.publish_id }) : started;
}

async function startVideo(call: TikTokPublish, post: PostInput, video: MediaFile, postInfo: Record<string, unknown>): Promise<Outcome<{ ref: string }>> {
  const pull = call.canPull(video.url);
  const { chunkSize, count } = tiktokChunks(video.bytes);
  const source = pull
    ? { source: 'PULL_FROM_URL', video_url: video.url }
    : { source: 'FILE_UPLOAD', video_size: video.bytes, chunk_size: chunkSize, total_chunk_count: count };
  const started = await call.apiCall(initSchema, 'the post', {
    method: 'POST',
    url: `${call.api}/post/publish/video/init/`,
    bearer: call.accessToken,
    idempotencyKey: post.idempotencyKey,
    json: { post_info: postInfo, source_info: source },
  });
  if (started.kind !== 'ok') return started;
  const { publish_id: publishId, upload_url: uploadUrl } = started.value.data;
  if (pull) return ok({ ref: publishId });
  if (!uploadUrl) return { kind: 'invalid', message: 'TikTok started the upload but gave no address to send the video to' };
  for (let index = 0; index < count; index += 1) {
    const start = index * chunkSize;
    // The last chunk takes the remainder.
    const end = index === count - 1 ? video.bytes : start + chunkSize;
    const put = await call.http.send({
      method: 'PUT',
      url: uploadUrl,
      headers: { 'content-range': `bytes ${start}-${end - 1}/${video.bytes}` },
      binary: { data: await video.read(start, end), contentType: video.mimeType },
      timeoutMs: 180_000,
    });
    if (isFailure(put)) return put;
    if (put.status < 200 || put.status >= 300) return call.classify(put);
    post.onProgress?.(`uploaded ${end} of ${video.bytes} bytes to TikTok`);
  }
  return ok({ ref: publishId });
}
