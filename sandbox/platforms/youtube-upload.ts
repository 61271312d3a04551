// YouTube videos.insert with the resumable upload protocol on its real path: POST
// /upload/youtube/v3/videos?uploadType=resumable opens a session (the metadata in the body, the size
// in X-Upload-Content-Length; 413 when over YouTube's limit), PUTs to the session address send bytes
// with Content-Range (308 Resume Incomplete and the Range held so far, until the last byte), and a
// `bytes */total` PUT asks where the session stands. The finished upload is the video resource;
// YouTube then processes it: a file that is not a video, or processing set to fail, ends `failed`;
// processing set to stall leaves the video `uploaded` with its watch page saying it is still processing.

import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { YOUTUBE_MEDIA } from '../../platforms/youtube-upload.js';
import { authenticate, baseUrl, body, handler, queryParam, type PlatformErrors } from '../core/http.js';
import { checkBytes, storeMedia } from '../core/media.js';
import { publish } from '../core/publish.js';
import type { SandboxState } from '../core/state.js';

interface Session {
  id: string;
  channelId: string;
  ownerId: string;
  handle: string;
  size: number;
  contentType: string;
  title: string;
  description: string;
  privacy: string;
  received: Buffer[];
  receivedBytes: number;
  /** The finished video resource. */
  video?: Record<string, unknown>;
}

const PRIVACY = ['public', 'unlisted', 'private'];

export function mountYouTubeUpload(apis: Router, state: SandboxState, errors: PlatformErrors, googleError: (res: Response, code: number, message: string, item: { domain: string; reason: string; location?: string; locationType?: string }) => void): void {
  const sessions = () => state.bag<Session>('youtube-upload-sessions');
  const auth = (req: Request, res: Response) => authenticate(state, req, res, { platforms: ['youtube'], errors: () => errors });

  apis.post(
    '/upload/youtube/v3/videos',
    handler(errors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      const channel = a.identity.channel;
      state.counters.bump('youtube', [channel?.id ?? a.identity.id], 'publishAttempts');
      if (queryParam(req, 'uploadType') !== 'resumable') {
        googleError(res, 400, "Media upload in the sandbox uses uploadType=resumable.", { domain: 'global', reason: 'badRequest', location: 'uploadType', locationType: 'parameter' });
        return;
      }
      if (!channel) {
        googleError(res, 401, 'Unauthorized', { domain: 'youtube.header', reason: 'youtubeSignupRequired', location: 'Authorization', locationType: 'header' });
        return;
      }
      const size = Number(req.get('x-upload-content-length'));
      if (!Number.isInteger(size) || size <= 0) {
        googleError(res, 400, 'The request does not include the video content.', { domain: 'youtube.video', reason: 'mediaBodyRequired', location: 'body', locationType: 'other' });
        return;
      }
      if (size > YOUTUBE_MEDIA.video!.maxBytes) {
        googleError(res, 413, `Media larger than: ${YOUTUBE_MEDIA.video!.maxBytes}`, { domain: 'global', reason: 'uploadTooLarge' });
        return;
      }
      const input = body(req) as { snippet?: { title?: unknown; description?: unknown }; status?: { privacyStatus?: unknown } };
      const title = typeof input.snippet?.title === 'string' ? input.snippet.title : '';
      if (!title.trim() || [...title].length > 100 || /[<>]/.test(title)) {
        googleError(res, 400, 'The request metadata specifies an invalid video title.', { domain: 'youtube.video', reason: 'invalidTitle', location: 'body.snippet.title', locationType: 'other' });
        return;
      }
      const description = typeof input.snippet?.description === 'string' ? input.snippet.description : '';
      if (Buffer.byteLength(description) > 5000 || /[<>]/.test(description)) {
        googleError(res, 400, 'The request metadata specifies an invalid video description.', { domain: 'youtube.video', reason: 'invalidDescription', location: 'body.snippet.description', locationType: 'other' });
        return;
      }
      const privacy = typeof input.status?.privacyStatus === 'string' ? input.status.privacyStatus : 'public';
      if (!PRIVACY.includes(privacy)) {
        googleError(res, 400, 'Invalid value for privacyStatus.', { domain: 'global', reason: 'invalid', location: 'body.status.privacyStatus', locationType: 'other' });
        return;
      }
      const id = randomBytes(24).toString('base64url');
      sessions().set(id, {
        id,
        channelId: channel.id,
        ownerId: a.identity.id,
        handle: channel.customUrl ?? a.identity.handle,
        size,
        contentType: req.get('x-upload-content-type') ?? 'video/*',
        title,
        description,
        privacy,
        received: [],
        receivedBytes: 0,
      });
      res.status(200).set('location', `${baseUrl(state, req)}/www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&upload_id=${id}`).end();
    }),
  );

  apis.put(
    '/upload/youtube/v3/videos',
    express.raw({ type: () => true, limit: '64mb' }),
    handler(errors, async (req, res) => {
      const session = sessions().get(queryParam(req, 'upload_id') ?? '');
      if (!session) {
        errors.notFound(res, req);
        return;
      }
      if (session.video) {
        res.status(200).json(session.video);
        return;
      }
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const range = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+)$/.exec(req.get('content-range') ?? '');
      if (!range || Number(range[3]) !== session.size) {
        googleError(res, 400, 'Invalid Content-Range header.', { domain: 'global', reason: 'badContent', location: 'Content-Range', locationType: 'header' });
        return;
      }
      if (range[1] !== undefined) {
        const start = Number(range[1]);
        const end = Number(range[2]);
        // Bytes must continue where the session stands; a resend of what it holds is ignored.
        if (start > session.receivedBytes || end - start + 1 !== bytes.length) {
          googleError(res, 400, 'The bytes do not continue the upload.', { domain: 'global', reason: 'badContent', location: 'Content-Range', locationType: 'header' });
          return;
        }
        if (end >= session.receivedBytes) {
          session.received.push(bytes.subarray(session.receivedBytes - start));
          session.receivedBytes = end + 1;
        }
      }
      if (session.receivedBytes < session.size) {
        res.status(308).set(session.receivedBytes > 0 ? { range: `bytes=0-${session.receivedBytes - 1}` } : {}).end();
        return;
      }
      session.video = await finish(session, baseUrl(state, req));
      session.received = [];
      res.status(200).json(session.video);
    }),
  );

  /** The finished upload: a video resource, and the video on its watch page unless processing failed. */
  async function finish(session: Session, base: string): Promise<Record<string, unknown>> {
    const bytes = Buffer.concat(session.received);
    const checked = await checkBytes(bytes, YOUTUBE_MEDIA.video!);
    const media = checked.ok ? storeMedia(state, { platform: 'youtube', ownerId: session.ownerId, mimeType: checked.mimeType, bytes }) : undefined;
    const processing = state.settings.mediaProcessing.youtube ?? 'finish';
    const failed = !media || processing === 'fail';
    const id = randomBytes(8).toString('base64url').slice(0, 11);
    if (!failed) {
      publish(state, {
        platform: 'youtube',
        authorId: session.ownerId,
        authorHandle: session.handle,
        // The watch page shows the title above the description (Tether's title is the description's first line).
        text: session.description.startsWith(session.title) ? session.description : [session.title, session.description].filter(Boolean).join('\n'),
        imageUrls: [],
        videoUrl: media.path,
        ...(processing === 'stall' ? { processingNote: 'Processing video… This video will be available once YouTube has processed it.' } : {}),
        makeId: () => id,
        makePath: (videoId) => `/www.youtube.com/watch?v=${videoId}`,
      });
    }
    return {
      kind: 'youtube#video',
      etag: `etag-${id}`,
      id,
      snippet: { channelId: session.channelId, title: session.title, description: session.description, publishedAt: new Date(state.clock.now()).toISOString() },
      status: {
        uploadStatus: failed ? 'failed' : 'uploaded',
        ...(failed ? { failureReason: media ? 'codec' : 'invalidFile' } : {}),
        privacyStatus: session.privacy,
      },
      ...(failed ? {} : { player: { embedHtml: `<iframe src="${base}/www.youtube.com/watch?v=${id}"></iframe>` } }),
    };
  }
}
