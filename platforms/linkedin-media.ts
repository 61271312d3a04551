// LinkedIn media for the Posts API: images through the Images API (initializeUpload, then a PUT of
// the bytes) and video through the Videos API (initializeUpload, a PUT per part, finalizeUpload,
// then wait until the video is AVAILABLE). Each upload's URN is recorded, so a retry reuses it.

import { z } from 'zod';
import type { ErrorClassifier, PlatformHttp } from './http.js';
import { MB, type MediaRules } from './media-rules.js';
import { mediaOf, readAll, uploadOnce, waitForProcessing, type ProcessingPoll } from './media-upload.js';
import { isFailure, ok } from './outcome.js';
import type { MediaFile, Outcome, PostInput } from './types.js';

const API = 'https://api.linkedin.com/rest';

export const LINKEDIN_MEDIA: MediaRules = {
  image: { maxCount: 20, types: ['image/jpeg', 'image/png', 'image/gif'], maxBytes: 36 * MB, maxAltLength: 4_086 },
  video: { types: ['video/mp4'], maxBytes: 500 * MB, minDurationSec: 3, maxDurationSec: 30 * 60 },
  mixed: false,
};

const imageInitSchema = z.looseObject({ value: z.looseObject({ uploadUrl: z.string().min(1), image: z.string().min(1) }) });
const videoInitSchema = z.looseObject({
  value: z.looseObject({
    video: z.string().min(1),
    uploadToken: z.string().optional(),
    uploadInstructions: z.array(z.looseObject({ uploadUrl: z.string().min(1), firstByte: z.number(), lastByte: z.number() })),
  }),
});
const videoSchema = z.looseObject({ status: z.string(), processingFailureReason: z.string().optional() });

export interface LinkedInMediaCall {
  http: PlatformHttp;
  classify: ErrorClassifier;
  headers: Record<string, string>;
  accessToken: string;
  owner: string;
  poll: ProcessingPoll;
}

/** The Posts API `content` for the post's media, uploading what an earlier attempt did not. */
export async function linkedInContent(call: LinkedInMediaCall, post: PostInput): Promise<Outcome<Record<string, unknown> | undefined>> {
  const { images, video } = mediaOf(post);
  if (video) {
    const urn = await uploadOnce(post, video, 'linkedin-video', () => uploadVideo(call, video, post));
    if (urn.kind !== 'ok') return urn;
    const ready = await waitForProcessing(call.poll, 'LinkedIn', () => videoStatus(call, urn.value), post.onProgress);
    if (ready.kind !== 'ok') return ready;
    return ok({ media: { id: urn.value, title: post.text.split('\n')[0]?.slice(0, 200) ?? '' } });
  }
  const uploaded: { id: string; altText?: string }[] = [];
  for (const image of images) {
    const urn = await uploadOnce(post, image, 'linkedin-image', () => uploadImage(call, image));
    if (urn.kind !== 'ok') return urn;
    uploaded.push({ id: urn.value, ...(image.alt ? { altText: image.alt } : {}) });
  }
  if (uploaded.length === 0) return ok(undefined);
  return ok(uploaded.length === 1 ? { media: uploaded[0] } : { multiImage: { images: uploaded } });
}

async function uploadImage(call: LinkedInMediaCall, image: MediaFile): Promise<Outcome<{ ref: string }>> {
  const started = await call.http.json(
    {
      method: 'POST',
      url: `${API}/images`,
      query: { action: 'initializeUpload' },
      headers: call.headers,
      bearer: call.accessToken,
      json: { initializeUploadRequest: { owner: call.owner } },
    },
    { schema: imageInitSchema, classify: call.classify, what: 'the image upload' },
  );
  if (started.kind !== 'ok') return started;
  const put = await call.http.expectSuccess(
    { method: 'PUT', url: started.value.value.uploadUrl, bearer: call.accessToken, binary: { data: await readAll(image), contentType: image.mimeType }, timeoutMs: 120_000 },
    call.classify,
  );
  return isFailure(put) ? put : ok({ ref: started.value.value.image });
}

async function uploadVideo(call: LinkedInMediaCall, video: MediaFile, post: PostInput): Promise<Outcome<{ ref: string }>> {
  const started = await call.http.json(
    {
      method: 'POST',
      url: `${API}/videos`,
      query: { action: 'initializeUpload' },
      headers: call.headers,
      bearer: call.accessToken,
      json: { initializeUploadRequest: { owner: call.owner, fileSizeBytes: video.bytes, uploadCaptions: false, uploadThumbnail: false } },
    },
    { schema: videoInitSchema, classify: call.classify, what: 'the video upload' },
  );
  if (started.kind !== 'ok') return started;
  const { video: urn, uploadToken, uploadInstructions } = started.value.value;
  const partIds: string[] = [];
  for (const part of uploadInstructions) {
    const put = await call.http.send({
      method: 'PUT',
      url: part.uploadUrl,
      bearer: call.accessToken,
      binary: { data: await video.read(part.firstByte, part.lastByte + 1), contentType: 'application/octet-stream' },
      timeoutMs: 120_000,
    });
    if (isFailure(put)) return put;
    if (put.status < 200 || put.status >= 300) return call.classify(put);
    partIds.push(put.headers.get('etag') ?? '');
    post.onProgress?.(`uploaded ${part.lastByte + 1} of ${video.bytes} bytes to LinkedIn`);
  }
  const finished = await call.http.expectSuccess(
    {
      method: 'POST',
      url: `${API}/videos`,
      query: { action: 'finalizeUpload' },
      headers: call.headers,
      bearer: call.accessToken,
      json: { finalizeUploadRequest: { video: urn, uploadToken: uploadToken ?? '', uploadedPartIds: partIds } },
    },
    call.classify,
  );
  return isFailure(finished) ? finished : ok({ ref: urn });
}

async function videoStatus(call: LinkedInMediaCall, urn: string) {
  const read = await call.http.json(
    { method: 'GET', url: `${API}/videos/${encodeURIComponent(urn)}`, headers: call.headers, bearer: call.accessToken },
    { schema: videoSchema, classify: call.classify, what: 'the video status' },
  );
  if (read.kind !== 'ok') return read;
  if (read.value.status === 'AVAILABLE') return ok({ state: 'done' as const });
  if (read.value.status === 'PROCESSING_FAILED') {
    const why = read.value.processingFailureReason;
    return ok({ state: 'failed' as const, message: `LinkedIn could not process the video${why ? ` (${why})` : ''}; check the file` });
  }
  return ok({ state: 'pending' as const });
}
