// TikTok Content Posting API on its real paths: content/init (photos, pulled from verified URLs),
// video/init (PULL_FROM_URL from a verified URL, or FILE_UPLOAD: TikTok hands out an upload URL
// that takes the chunks with Content-Range, 206 until the last, 201 then), and status/fetch
// (PROCESSING_UPLOAD / PROCESSING_DOWNLOAD while TikTok works, then PUBLISH_COMPLETE, or FAILED with
// TikTok's fail_reason: photo_pull_failed, video_pull_failed, file_format_check_failed).
// The post appears once TikTok has the media and has processed a video.

import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { isOnVerifiedDomain } from '../../platforms/settings.js';
import { TIKTOK_MEDIA } from '../../platforms/tiktok-media.js';
import type { Authenticated } from '../core/http.js';
import { baseUrl, body, field, handler, idempotencyKey, queryParam, type PlatformErrors } from '../core/http.js';
import { checkBytes, processingAt, pullAndStore, storeMedia, type SandboxMedia } from '../core/media.js';
import { numericId } from '../core/publish.js';
import type { SandboxState } from '../core/state.js';

type FailReason = 'photo_pull_failed' | 'video_pull_failed' | 'file_format_check_failed' | 'internal';

interface PublishJob {
  publishId: string;
  ownerId: string;
  handle: string;
  idempotencyKey?: string;
  mediaType: 'PHOTO' | 'VIDEO';
  source: 'PULL_FROM_URL' | 'FILE_UPLOAD';
  text: string;
  options: Record<string, unknown>;
  media: SandboxMedia[];
  /** FILE_UPLOAD: the declared size and the bytes received so far, by first byte. */
  upload?: { size: number; uploadToken: string; chunks: Map<number, Buffer>; received: number };
  failReason?: FailReason;
  postId?: string;
}

export interface TikTokPublishing {
  api: Router;
  upload: Router;
  state: SandboxState;
  errors: PlatformErrors;
  auth: (req: Request, res: Response) => Promise<Authenticated | undefined>;
  ok: (res: Response, data: unknown) => void;
  apiError: (res: Response, status: number, code: string, message: string) => void;
  privacyOptions: (identity: Authenticated['identity']) => string[];
}

const MIN_CHUNK = 5 * 1024 * 1024;
const MAX_CHUNK = 64 * 1024 * 1024;

export function mountTikTokPublishing({ api, upload, state, errors, auth, ok, apiError, privacyOptions }: TikTokPublishing): void {
  const jobs = () => state.bag<PublishJob>('tiktok-publish');
  const count = (job: Pick<PublishJob, 'ownerId'>, what: 'publishAttempts' | 'publishReplays') => state.counters.bump('tiktok', [job.ownerId], what);

  /** The post goes up once TikTok has every file and has processed the video. */
  const advance = (job: PublishJob): void => {
    if (job.failReason || job.postId || job.media.length === 0) return;
    const video = job.media.find((m) => m.mimeType.startsWith('video/'));
    if (video) {
      const at = processingAt(state, video);
      if (at === 'failed') job.failReason = 'internal';
      if (at !== 'done') return;
    }
    const result = state.posts.publish(
      {
        platform: 'tiktok',
        authorId: job.ownerId,
        authorHandle: job.handle,
        text: job.text,
        imageUrls: job.media.filter((m) => m.mimeType.startsWith('image/')).map((m) => m.path),
        videoUrl: video?.path,
        idempotencyKey: job.idempotencyKey,
        options: job.options,
        // Below 2^53: status/fetch returns the id as a JSON number.
        makeId: () => numericId(15),
        makePath: (id) => `/www.tiktok.com/@${job.handle}/${job.mediaType === 'PHOTO' ? 'photo' : 'video'}/${id}`,
      },
      state.clock.now(),
    );
    job.postId = result.post.id;
  };

  const init = (kind: 'content' | 'video') =>
    handler(errors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      const input = body(req);
      const postInfo = (input.post_info ?? {}) as Record<string, unknown>;
      const source = (input.source_info ?? {}) as Record<string, unknown>;
      const mediaType = kind === 'video' ? 'VIDEO' : input.media_type;
      const privacy = postInfo.privacy_level;
      if (kind === 'content' && mediaType !== 'PHOTO') return errors.badRequest(res, 'media_type must be PHOTO for content/init.');
      if (typeof privacy !== 'string' || !privacyOptions(a.identity).includes(privacy)) {
        return errors.badRequest(res, 'post_info.privacy_level is required and must be one of the creator_info privacy_level_options.');
      }
      // Unaudited clients: SELF_ONLY posts, to accounts that are private at the time of posting.
      if (!state.settings.tiktokAudited && (privacy !== 'SELF_ONLY' || !a.identity.privateAccount)) {
        return apiError(res, 403, 'unaudited_client_can_only_post_to_private_accounts', 'Unaudited clients can only post to private accounts with SELF_ONLY privacy.');
      }
      const key = idempotencyKey(req);
      const earlier = key ? [...jobs().values()].find((j) => j.ownerId === a.identity.id && j.idempotencyKey === key) : undefined;
      if (earlier) {
        count(earlier, 'publishAttempts');
        count(earlier, 'publishReplays');
        return ok(res, { publish_id: earlier.publishId, ...(earlier.upload ? { upload_url: uploadUrl(req, earlier) } : {}) });
      }
      const title = typeof postInfo.title === 'string' ? postInfo.title : '';
      const description = typeof postInfo.description === 'string' ? postInfo.description : '';
      if ([...title].length > (mediaType === 'PHOTO' ? 90 : 2200) || [...description].length > 4000) {
        return errors.badRequest(res, 'post_info title or description is too long.');
      }
      const job: PublishJob = {
        publishId: `v_pub_${source.source === 'FILE_UPLOAD' ? 'file' : 'url'}~v2.${numericId(19)}`,
        ownerId: a.identity.id,
        handle: a.identity.handle,
        idempotencyKey: key,
        mediaType: mediaType as 'PHOTO' | 'VIDEO',
        source: source.source === 'FILE_UPLOAD' ? 'FILE_UPLOAD' : 'PULL_FROM_URL',
        // A photo post shows its title above its description (Tether's title is the description's first line).
        text: mediaType === 'PHOTO' && !description.startsWith(title) ? [title, description].filter(Boolean).join('\n') : description || title,
        options: { privacy_level: privacy, auto_add_music: postInfo.auto_add_music === true, disable_comment: postInfo.disable_comment === true },
        media: [],
      };
      const problem = mediaType === 'PHOTO' ? photoSource(source) : videoSource(source);
      if (problem) return problem.code ? apiError(res, 403, problem.code, problem.message) : errors.badRequest(res, problem.message);
      count(job, 'publishAttempts');
      jobs().set(job.publishId, job);
      if (job.source === 'FILE_UPLOAD') {
        job.upload = { size: Number(source.video_size), uploadToken: randomBytes(16).toString('hex'), chunks: new Map(), received: 0 };
        return ok(res, { publish_id: job.publishId, upload_url: uploadUrl(req, job) });
      }
      // TikTok pulls the files after answering; a file it cannot use fails the publish, seen in status/fetch.
      await pull(job, mediaType === 'PHOTO' ? (source.photo_images as string[]) : [source.video_url as string]);
      advance(job);
      ok(res, { publish_id: job.publishId });
    });

  type SourceProblem = { message: string; code?: string } | undefined;

  /** What is wrong with a photo post's source_info. */
  const photoSource = (source: Record<string, unknown>): SourceProblem => {
    if (source.source !== 'PULL_FROM_URL') return { message: 'source_info.source must be PULL_FROM_URL for photo posts.' };
    const images = Array.isArray(source.photo_images) ? source.photo_images.filter((u): u is string => typeof u === 'string') : [];
    if (images.length === 0 || images.length > TIKTOK_MEDIA.image!.maxCount) return { message: 'source_info.photo_images must contain 1 to 35 image URLs.' };
    return unverified(images);
  };

  const videoSource = (source: Record<string, unknown>): SourceProblem => {
    if (source.source === 'PULL_FROM_URL') {
      if (typeof source.video_url !== 'string' || !source.video_url) return { message: 'source_info.video_url is required.' };
      return unverified([source.video_url]);
    }
    if (source.source !== 'FILE_UPLOAD') return { message: 'source_info.source must be FILE_UPLOAD or PULL_FROM_URL.' };
    const size = Number(source.video_size);
    const chunk = Number(source.chunk_size);
    const chunks = Number(source.total_chunk_count);
    if (![size, chunk, chunks].every((n) => Number.isInteger(n) && n > 0)) return { message: 'source_info.video_size, chunk_size and total_chunk_count are required.' };
    if (size > TIKTOK_MEDIA.video!.maxBytes) return { message: `The video is larger than ${TIKTOK_MEDIA.video!.maxBytes} bytes.` };
    // Files under 5 MB go whole; otherwise chunks of 5 to 64 MB, the last one taking the remainder.
    const wellCut = size < MIN_CHUNK ? chunk === size && chunks === 1 : chunk >= MIN_CHUNK && chunk <= MAX_CHUNK && chunks === Math.max(1, Math.floor(size / chunk));
    return wellCut ? undefined : { message: 'The chunk_size and total_chunk_count do not follow the media transfer rules.' };
  };

  /** TikTok pulls media only from domains or URL prefixes verified for the app. */
  const unverified = (urls: string[]): SourceProblem =>
    urls.some((url) => !isOnVerifiedDomain(url, state.settings.tiktokVerifiedDomains))
      ? { code: 'url_ownership_unverified', message: 'Please review our URL ownership verification rules.' }
      : undefined;

  const pull = async (job: PublishJob, urls: string[]): Promise<void> => {
    for (const url of urls) {
      const limits = job.mediaType === 'PHOTO' ? TIKTOK_MEDIA.image! : TIKTOK_MEDIA.video!;
      const pulled = await pullAndStore(state, url, limits, { platform: 'tiktok', ownerId: job.ownerId });
      if (!pulled.ok) {
        job.failReason = pulled.problem === 'wrongFormat' || pulled.problem === 'tooLarge' ? 'file_format_check_failed' : job.mediaType === 'PHOTO' ? 'photo_pull_failed' : 'video_pull_failed';
        job.media = [];
        return;
      }
      job.media.push(pulled.media);
    }
  };

  const uploadUrl = (req: Request, job: PublishJob) => `${baseUrl(state, req)}/open-upload.tiktokapis.com/video/?upload_id=${encodeURIComponent(job.publishId)}&upload_token=${job.upload!.uploadToken}`;

  api.post('/v2/post/publish/content/init/', init('content'));
  api.post('/v2/post/publish/video/init/', init('video'));

  upload.put(
    '/video/',
    express.raw({ type: () => true, limit: '130mb' }),
    handler(errors, async (req, res) => {
      const job = jobs().get(queryParam(req, 'upload_id') ?? '');
      const transfer = job?.upload;
      if (!job || !transfer || queryParam(req, 'upload_token') !== transfer.uploadToken) return errors.notFound(res, req);
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(req.get('content-range') ?? '');
      if (!range || Number(range[3]) !== transfer.size || Number(range[2]) - Number(range[1]) + 1 !== bytes.length || Number(range[2]) >= transfer.size) {
        return errors.badRequest(res, 'Content-Range does not match the chunk or the declared video_size.');
      }
      if (!transfer.chunks.has(Number(range[1]))) {
        transfer.chunks.set(Number(range[1]), bytes);
        transfer.received += bytes.length;
      }
      if (transfer.received < transfer.size) return void res.status(206).end();
      if (job.media.length === 0 && !job.failReason) {
        const whole = Buffer.concat([...transfer.chunks.entries()].sort(([x], [y]) => x - y).map(([, b]) => b));
        const checked = await checkBytes(whole, TIKTOK_MEDIA.video!);
        if (checked.ok) job.media = [storeMedia(state, { platform: 'tiktok', ownerId: job.ownerId, mimeType: checked.mimeType, bytes: whole })];
        else job.failReason = 'file_format_check_failed';
        transfer.chunks.clear();
      }
      res.status(201).end();
    }),
  );

  api.post(
    '/v2/post/publish/status/fetch/',
    handler(errors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      const job = jobs().get(field(req, 'publish_id') ?? '');
      if (!job || job.ownerId !== a.identity.id) return errors.badRequest(res, 'publish_id is invalid.');
      advance(job);
      const uploaded = job.upload?.received ?? 0;
      const downloaded = job.source === 'PULL_FROM_URL' ? job.media.reduce((sum, m) => sum + m.bytes.length, 0) : 0;
      if (job.failReason) return ok(res, { status: 'FAILED', fail_reason: job.failReason, uploaded_bytes: uploaded, downloaded_bytes: downloaded });
      if (!job.postId) return ok(res, { status: job.source === 'FILE_UPLOAD' ? 'PROCESSING_UPLOAD' : 'PROCESSING_DOWNLOAD', uploaded_bytes: uploaded, downloaded_bytes: downloaded });
      ok(res, { status: 'PUBLISH_COMPLETE', publicaly_available_post_id: [Number(job.postId)], uploaded_bytes: uploaded, downloaded_bytes: downloaded });
    }),
  );
}
