// X media upload v2 on its real paths: initialize (type and size checked), append (multipart chunks),
// finalize (bytes checked: type sniffed, size must match), status (video and GIFs are processed:
// in_progress, then succeeded — or failed / still in progress as configured), alt text metadata.

import type { Request, Response, Router } from 'express';
import multer from 'multer';
import { X_MEDIA } from '../../platforms/x-media.js';
import { authenticate, body, handler, pathParam, queryParam, type PlatformErrors } from '../core/http.js';
import { checkBytes, findMedia, processingAt, storeMedia, type SandboxMedia } from '../core/media.js';
import { numericId } from '../core/publish.js';
import type { SandboxState } from '../core/state.js';

interface Upload {
  id: string;
  ownerId: string;
  mediaType: string;
  totalBytes: number;
  category: string;
  segments: Map<number, Buffer>;
  /** Set by FINALIZE. */
  mediaId?: string;
}

const IMAGE_TYPES = X_MEDIA.image!.types;
const VIDEO_TYPES = X_MEDIA.video!.types;
const processed = (upload: Upload) => upload.category === 'tweet_video' || upload.category === 'tweet_gif';

function limitsOf(mediaType: string) {
  if (VIDEO_TYPES.includes(mediaType)) return { types: VIDEO_TYPES, maxBytes: X_MEDIA.video!.maxBytes };
  // Animated GIFs may be up to 15 MB.
  return { types: IMAGE_TYPES, maxBytes: mediaType === 'image/gif' ? 15 * 1024 * 1024 : X_MEDIA.image!.maxBytes };
}

export function mountXMedia(api: Router, state: SandboxState, xErrors: PlatformErrors): void {
  const uploads = () => state.bag<Upload>('x-uploads');
  const errors = () => xErrors;
  const auth = (req: Request, res: Response) => authenticate(state, req, res, { platforms: ['x'], errors });
  const ownUpload = (req: Request, ownerId: string) => {
    const upload = uploads().get(pathParam(req, 'id'));
    return upload && upload.ownerId === ownerId ? upload : undefined;
  };
  const info = (upload: Upload) => {
    const media = findMedia(state, upload.mediaId);
    if (!media || !processed(upload)) return {};
    const at = processingAt(state, media);
    if (at === 'done') return { processing_info: { state: 'succeeded', progress_percent: 100 } };
    if (at === 'failed') return { processing_info: { state: 'failed', progress_percent: 100, error: { code: 1, name: 'InvalidMedia', message: 'Unsupported video format' } } };
    return { processing_info: { state: 'in_progress', check_after_secs: 1, progress_percent: 50 } };
  };

  api.post(
    '/2/media/upload/initialize',
    handler(xErrors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      const input = body(req);
      const mediaType = typeof input.media_type === 'string' ? input.media_type : '';
      const totalBytes = typeof input.total_bytes === 'number' ? input.total_bytes : Number(input.total_bytes);
      if (![...IMAGE_TYPES, ...VIDEO_TYPES].includes(mediaType)) return xErrors.badRequest(res, `media type unrecognized: ${mediaType || 'none'}`);
      if (!Number.isInteger(totalBytes) || totalBytes <= 0) return xErrors.badRequest(res, 'total_bytes is required.');
      if (totalBytes > limitsOf(mediaType).maxBytes) return xErrors.badRequest(res, 'File size exceeds the maximum allowed for this media category.');
      const id = numericId(19);
      const category = typeof input.media_category === 'string' ? input.media_category : VIDEO_TYPES.includes(mediaType) ? 'tweet_video' : 'tweet_image';
      uploads().set(id, { id, ownerId: a.identity.id, mediaType, totalBytes, category, segments: new Map() });
      res.json({ data: { id, media_key: `3_${id}`, expires_after_secs: 86_400 } });
    }),
  );

  // APPEND: multipart with `media` (at most 5 MB) and `segment_index`.
  const chunk = multer({ storage: multer.memoryStorage(), limits: { fileSize: 5 * 1024 * 1024, files: 1 } }).single('media');
  api.post('/2/media/upload/:id/append', (req, res, next) => chunk(req, res, (error: unknown) => (error ? xErrors.badRequest(res, 'The media segment could not be read (at most 5 MB per segment).') : next())), handler(xErrors, async (req, res) => {
    const a = await auth(req, res);
    if (!a) return;
    const upload = ownUpload(req, a.identity.id);
    if (!upload || upload.mediaId) return xErrors.badRequest(res, 'Invalid media_id.');
    const index = Number((req.body as Record<string, unknown> | undefined)?.segment_index);
    if (!req.file || !Number.isInteger(index) || index < 0 || index > 999) return xErrors.badRequest(res, 'media and segment_index are required.');
    upload.segments.set(index, req.file.buffer);
    res.status(204).end();
  }));

  api.post(
    '/2/media/upload/:id/finalize',
    handler(xErrors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      const upload = ownUpload(req, a.identity.id);
      if (!upload) return xErrors.badRequest(res, 'Invalid media_id.');
      if (!upload.mediaId) {
        const bytes = Buffer.concat([...upload.segments.entries()].sort(([x], [y]) => x - y).map(([, b]) => b));
        if (bytes.length !== upload.totalBytes) return xErrors.badRequest(res, `File size mismatch: expected ${upload.totalBytes} bytes, got ${bytes.length}.`);
        const checked = await checkBytes(bytes, limitsOf(upload.mediaType));
        if (!checked.ok) return xErrors.badRequest(res, checked.problem === 'tooLarge' ? 'File size exceeds the maximum allowed.' : 'media type unrecognized.');
        upload.mediaId = storeMedia(state, { platform: 'x', ownerId: a.identity.id, mimeType: checked.mimeType, bytes }).id;
        upload.segments.clear();
      }
      const media = findMedia(state, upload.mediaId)!;
      // The first read after FINALIZE of a processed file is in progress.
      const processing = processed(upload) && media.reads === 0 ? { processing_info: { state: 'pending', check_after_secs: 1 } } : {};
      res.json({ data: { id: upload.id, media_key: `3_${upload.id}`, size: media.bytes.length, expires_after_secs: 86_400, ...processing } });
    }),
  );

  api.get(
    '/2/media/upload',
    handler(xErrors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      const upload = uploads().get(queryParam(req, 'media_id') ?? '');
      if (queryParam(req, 'command') !== 'STATUS' || !upload || upload.ownerId !== a.identity.id || !upload.mediaId) return xErrors.badRequest(res, 'Invalid media_id.');
      res.json({ data: { id: upload.id, media_key: `3_${upload.id}`, ...info(upload) } });
    }),
  );

  api.post(
    '/2/media/metadata',
    handler(xErrors, async (req, res) => {
      const a = await auth(req, res);
      if (!a) return;
      const input = body(req);
      const upload = uploads().get(typeof input.id === 'string' ? input.id : '');
      const alt = (input.metadata as { alt_text?: { text?: unknown } } | undefined)?.alt_text?.text;
      const media = upload?.ownerId === a.identity.id ? findMedia(state, upload.mediaId) : undefined;
      if (!media) return xErrors.badRequest(res, 'Invalid media id.');
      if (typeof alt !== 'string' || [...alt].length > 1000) return xErrors.badRequest(res, 'alt_text.text must be at most 1000 characters.');
      media.alt = alt;
      res.json({ data: { associated_metadata: true } });
    }),
  );
}

/** The media a post attaches: each finalized, owned and processed; at most 4 images or one video, not both. */
export function xMediaForPost(state: SandboxState, ownerId: string, mediaIds: string[]): { ok: true; images: SandboxMedia[]; video?: SandboxMedia } | { ok: false; message: string } {
  const uploads = state.bag<Upload>('x-uploads');
  const media: { upload: Upload; file: SandboxMedia }[] = [];
  for (const id of mediaIds) {
    const upload = uploads.get(id);
    const file = upload?.ownerId === ownerId ? findMedia(state, upload.mediaId) : undefined;
    if (!upload || !file) return { ok: false, message: 'Your media IDs are invalid.' };
    // Video and GIFs can be attached only once X has processed them (a STATUS read said succeeded).
    if (processed(upload) && !((state.settings.mediaProcessing.x ?? 'finish') === 'finish' && file.reads >= 2)) {
      return { ok: false, message: 'Your media IDs are invalid.' };
    }
    media.push({ upload, file });
  }
  const videos = media.filter((m) => VIDEO_TYPES.includes(m.file.mimeType));
  const images = media.filter((m) => !VIDEO_TYPES.includes(m.file.mimeType));
  if (images.length > 4 || videos.length > 1 || (videos.length > 0 && images.length > 0)) return { ok: false, message: 'Your media IDs are invalid.' };
  return { ok: true, images: images.map((m) => m.file), video: videos[0]?.file };
}
