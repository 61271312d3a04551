// YouTube videos.insert with the resumable upload protocol: a session is opened with the video's
// metadata, then the bytes are PUT in chunks (308 "Resume Incomplete" until the last). The session
// address is recorded before any byte is sent, so a retried publish asks the session how far it got
// (or gets the finished video back) instead of uploading a second video.

import { z } from 'zod';
import type { ErrorClassifier, HttpResponse, PlatformHttp } from './http.js';
import { MB, type MediaRules } from './media-rules.js';
import { firstLine, mediaOf, uploadOnce } from './media-upload.js';
import { invalid, isFailure, ok } from './outcome.js';
import type { MediaFile, Outcome, PostInput } from './types.js';

const UPLOAD = 'https://www.googleapis.com/upload/youtube/v3/videos';
/** Chunks must be multiples of 256 KiB. */
const CHUNK = 32 * 256 * 1024;
const SESSION_LIFETIME_MS = 6 * 24 * 3600_000;

export const YOUTUBE_MEDIA: MediaRules = {
  video: { types: ['video/mp4', 'video/quicktime', 'video/webm'], maxBytes: 256 * 1024 * MB, minDurationSec: 1, maxDurationSec: 12 * 3600 },
  mixed: false,
  required: 'video',
};

const videoSchema = z.looseObject({
  id: z.string().min(1),
  status: z.looseObject({ uploadStatus: z.string().optional(), failureReason: z.string().optional(), rejectionReason: z.string().optional() }).optional(),
});

/** YouTube titles: at most 100 characters, no angle brackets. */
export const youtubeTitle = (text: string) => firstLine(text.replace(/[<>]/g, ''), 100);

export async function uploadYouTubeVideo(http: PlatformHttp, classify: ErrorClassifier, accessToken: string, post: PostInput): Promise<Outcome<string>> {
  const { video } = mediaOf(post);
  if (!video) return invalid('YouTube needs a video for every post; add one');
  return uploadOnce(post, video, 'youtube-video', async () => {
    const session = await uploadOnce(post, video, 'youtube-session', () => openSession(video));
    if (session.kind !== 'ok') return session;
    const id = await sendFrom(session.value, video);
    return id.kind === 'ok' ? ok({ ref: id.value }) : id;
  });

  async function openSession(file: MediaFile): Promise<Outcome<{ ref: string; expiresAt: Date }>> {
    const response = await http.send({
      method: 'POST',
      url: UPLOAD,
      query: { uploadType: 'resumable', part: 'snippet,status' },
      bearer: accessToken,
      headers: { 'x-upload-content-length': String(file.bytes), 'x-upload-content-type': file.mimeType },
      json: {
        snippet: { title: youtubeTitle(post.text), description: post.text },
        status: { privacyStatus: post.choices?.privacyLevel, selfDeclaredMadeForKids: false },
      },
    });
    if (isFailure(response)) return response;
    if (response.status < 200 || response.status >= 300) return classify(response);
    const location = response.headers.get('location');
    if (!location) return invalid('YouTube opened no upload session (no Location header)');
    return ok({ ref: location, expiresAt: new Date(http.now().getTime() + SESSION_LIFETIME_MS) });
  }

  /** Asks the session how much it holds, then sends the rest; answers the video id. */
  async function sendFrom(sessionUrl: string, file: MediaFile): Promise<Outcome<string>> {
    let response = await put(sessionUrl, { 'content-range': `bytes */${file.bytes}` });
    while (true) {
      if (isFailure(response)) return response;
      if (response.status === 200 || response.status === 201) {
        const parsed = videoSchema.safeParse(response.body);
        if (!parsed.success) return invalid('YouTube finished the upload but did not say which video it created');
        const status = parsed.data.status;
        if (status?.uploadStatus === 'failed' || status?.uploadStatus === 'rejected') {
          const why = status.failureReason ?? status.rejectionReason;
          return invalid(`YouTube could not process the video${why ? ` (${why})` : ''}`);
        }
        return ok(parsed.data.id);
      }
      if (response.status !== 308) return classify(response);
      const start = nextByte(response);
      const end = Math.min(file.bytes, start + CHUNK);
      post.onProgress?.(`uploaded ${start} of ${file.bytes} bytes to YouTube`);
      response = await put(sessionUrl, { 'content-range': `bytes ${start}-${end - 1}/${file.bytes}` }, { data: await file.read(start, end), contentType: file.mimeType });
    }
  }

  function put(url: string, headers: Record<string, string>, binary?: { data: Buffer; contentType: string }) {
    return http.send({ method: 'PUT', url, bearer: accessToken, headers, ...(binary ? { binary } : {}), timeoutMs: 180_000 });
  }
}

/** The first byte the session still needs: after the `Range: bytes=0-N` it reports, or 0. */
function nextByte(response: HttpResponse): number {
  const match = /bytes=0-(\d+)/.exec(response.headers.get('range') ?? '');
  return match ? Number(match[1]) + 1 : 0;
}
