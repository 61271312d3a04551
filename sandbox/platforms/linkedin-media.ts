// LinkedIn Images and Videos APIs on their real paths: initializeUpload hands out upload URLs
// (dms-uploads), PUTs store the bytes (type and size checked: 400 on a wrong format or a file too
// large), videos are finalized with the parts' ETags and then PROCESSING, AVAILABLE or
// PROCESSING_FAILED; posts resolve `content.media` / `content.multiImage` to the uploaded files.

import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { LINKEDIN_MEDIA } from '../../platforms/linkedin-media.js';
import { authenticate, baseUrl, body, handler, pathParam, queryParam, type PlatformErrors } from '../core/http.js';
import { checkBytes, findMedia, processingAt, storeMedia, type SandboxMedia } from '../core/media.js';
import { numericId } from '../core/publish.js';
import type { SandboxState } from '../core/state.js';

interface Asset {
  urn: string;
  ownerUrn: string;
  kind: 'image' | 'video';
  /** Video: the declared size and its parts (4 MB each), filled by PUTs. */
  size?: number;
  parts?: Buffer[];
  finalized?: boolean;
  mediaId?: string;
}

const PART = 4 * 1024 * 1024;

function restError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ status, code, message });
}

export function mountLinkedInMedia(
  api: Router,
  web: Router,
  state: SandboxState,
  errors: PlatformErrors,
  versioned: (req: Request, res: Response) => boolean,
): void {
  const assets = () => state.bag<Asset>('linkedin-assets');
  const uploadTokens = () => state.bag<{ urn: string; part: number }>('linkedin-upload-tokens');
  const auth = (req: Request, res: Response) => authenticate(state, req, res, { platforms: ['linkedin'], errors: () => errors });
  const uploadUrl = (req: Request, urn: string, part: number) => {
    const token = randomBytes(12).toString('hex');
    uploadTokens().set(token, { urn, part });
    return `${baseUrl(state, req)}/www.linkedin.com/dms-uploads/${token}`;
  };

  api.post(
    '/rest/images',
    handler(errors, async (req, res) => {
      if (!versioned(req, res)) return;
      const a = await auth(req, res);
      if (!a) return;
      if (queryParam(req, 'action') !== 'initializeUpload') return errors.badRequest(res, 'Unsupported action');
      const owner = (body(req).initializeUploadRequest as { owner?: unknown } | undefined)?.owner;
      if (typeof owner !== 'string') return restError(res, 422, 'UNPROCESSABLE_ENTITY', 'ERROR :: /initializeUploadRequest/owner :: field is required');
      const urn = `urn:li:image:D4E${numericId(16)}`;
      assets().set(urn, { urn, ownerUrn: owner, kind: 'image' });
      res.json({ value: { uploadUrlExpiresAt: state.clock.now() + 3_600_000, uploadUrl: uploadUrl(req, urn, 0), image: urn } });
    }),
  );

  api.post(
    '/rest/videos',
    handler(errors, async (req, res) => {
      if (!versioned(req, res)) return;
      const a = await auth(req, res);
      if (!a) return;
      const action = queryParam(req, 'action');
      const input = body(req);
      if (action === 'initializeUpload') {
        const request = (input.initializeUploadRequest ?? {}) as { owner?: unknown; fileSizeBytes?: unknown };
        const size = Number(request.fileSizeBytes);
        if (typeof request.owner !== 'string' || !Number.isInteger(size) || size <= 0) {
          return restError(res, 422, 'UNPROCESSABLE_ENTITY', 'ERROR :: /initializeUploadRequest :: owner and fileSizeBytes are required');
        }
        if (size > LINKEDIN_MEDIA.video!.maxBytes) return restError(res, 400, 'ILLEGAL_ARGUMENT', `fileSizeBytes ${size} exceeds the maximum of ${LINKEDIN_MEDIA.video!.maxBytes}`);
        const urn = `urn:li:video:D4E${numericId(16)}`;
        const count = Math.max(1, Math.ceil(size / PART));
        assets().set(urn, { urn, ownerUrn: request.owner, kind: 'video', size, parts: [] });
        const uploadInstructions = Array.from({ length: count }, (_, i) => ({
          uploadUrl: uploadUrl(req, urn, i),
          firstByte: i * PART,
          lastByte: Math.min(size, (i + 1) * PART) - 1,
        }));
        res.json({ value: { uploadUrlsExpireAt: state.clock.now() + 3_600_000, video: urn, uploadInstructions, uploadToken: '' } });
        return;
      }
      if (action === 'finalizeUpload') {
        const request = (input.finalizeUploadRequest ?? {}) as { video?: unknown; uploadedPartIds?: unknown };
        const asset = typeof request.video === 'string' ? assets().get(request.video) : undefined;
        if (!asset || asset.kind !== 'video') return errors.badRequest(res, 'Unknown video');
        const ids = Array.isArray(request.uploadedPartIds) ? request.uploadedPartIds : [];
        const parts = asset.parts ?? [];
        if (ids.length !== Math.ceil((asset.size ?? 0) / PART) || parts.some((p) => !p) || parts.length !== ids.length) {
          return errors.badRequest(res, 'Not every part of the video was uploaded');
        }
        const bytes = Buffer.concat(parts);
        const checked = await checkBytes(bytes, { types: LINKEDIN_MEDIA.video!.types, maxBytes: LINKEDIN_MEDIA.video!.maxBytes });
        if (!checked.ok || bytes.length !== asset.size) return errors.badRequest(res, checked.ok ? 'The uploaded size does not match fileSizeBytes' : `Unsupported media: ${checked.detail}`);
        asset.mediaId = storeMedia(state, { platform: 'linkedin', ownerId: asset.ownerUrn, mimeType: checked.mimeType, bytes }).id;
        asset.finalized = true;
        asset.parts = [];
        res.status(200).json({});
        return;
      }
      errors.badRequest(res, 'Unsupported action');
    }),
  );

  api.get(
    '/rest/videos/:urn',
    handler(errors, async (req, res) => {
      if (!versioned(req, res)) return;
      const a = await auth(req, res);
      if (!a) return;
      const asset = assets().get(pathParam(req, 'urn'));
      if (!asset || asset.kind !== 'video') return errors.notFound(res, req);
      const media = findMedia(state, asset.mediaId);
      if (!media) {
        res.json({ id: asset.urn, status: 'WAITING_UPLOAD', owner: asset.ownerUrn });
        return;
      }
      const at = processingAt(state, media);
      const status = at === 'done' ? 'AVAILABLE' : at === 'failed' ? 'PROCESSING_FAILED' : 'PROCESSING';
      res.json({ id: asset.urn, owner: asset.ownerUrn, status, ...(at === 'failed' ? { processingFailureReason: 'Video could not be processed' } : {}) });
    }),
  );

  web.put(
    '/dms-uploads/:token',
    express.raw({ type: () => true, limit: '40mb' }),
    handler(errors, async (req, res) => {
      const target = uploadTokens().get(pathParam(req, 'token'));
      const asset = target ? assets().get(target.urn) : undefined;
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!target || !asset) return errors.notFound(res, req);
      if (asset.kind === 'video') {
        asset.parts![target.part] = bytes;
        res.status(200).set('etag', `"part-${target.part}-${bytes.length}"`).end();
        return;
      }
      const checked = await checkBytes(bytes, { types: LINKEDIN_MEDIA.image!.types, maxBytes: LINKEDIN_MEDIA.image!.maxBytes });
      if (!checked.ok) return restError(res, 400, checked.problem === 'tooLarge' ? 'REQUEST_ENTITY_TOO_LARGE' : 'UNSUPPORTED_MEDIA_TYPE', checked.detail);
      asset.mediaId = storeMedia(state, { platform: 'linkedin', ownerId: asset.ownerUrn, mimeType: checked.mimeType, bytes }).id;
      res.status(201).end();
    }),
  );
}

type Content = { media?: { id?: unknown; altText?: unknown }; multiImage?: { images?: { id?: unknown; altText?: unknown }[] } } | undefined;

/** The uploaded files a post's `content` names (uploaded, owned by the author, a video processed), or what LinkedIn says about them. */
export function linkedInPostMedia(
  state: SandboxState,
  author: string,
  content: Content,
): { ok: true; images: { media: SandboxMedia; alt: string }[]; video?: SandboxMedia } | { ok: false; message: string } {
  const items = content?.multiImage ? (content.multiImage.images ?? []) : content?.media?.id ? [content.media] : [];
  if (content?.multiImage && (items.length < 2 || items.length > 20)) return { ok: false, message: 'ERROR :: /content/multiImage/images :: must have 2 to 20 images' };
  const images: { media: SandboxMedia; alt: string }[] = [];
  let video: SandboxMedia | undefined;
  for (const item of items) {
    const urn = typeof item.id === 'string' ? item.id : '';
    const asset = state.bag<Asset>('linkedin-assets').get(urn);
    const media = findMedia(state, asset?.mediaId);
    if (!asset || !media || asset.ownerUrn !== author) return { ok: false, message: `ERROR :: /content :: ${urn || 'media'} is not an uploaded asset of the author` };
    if (asset.kind === 'video') {
      if (media.reads < 2 || (state.settings.mediaProcessing.linkedin ?? 'finish') !== 'finish') return { ok: false, message: `ERROR :: /content/media/id :: ${urn} is not AVAILABLE` };
      video = media;
    } else images.push({ media, alt: typeof item.altText === 'string' ? item.altText : '' });
  }
  return { ok: true, images, ...(video ? { video } : {}) };
}
