// What Instagram and Threads do with a container's media: pull `image_url` / `video_url` like their
// crawlers (type and size checked; an unreachable URL, a wrong format or a file too large is the
// platform's 400), process videos (IN_PROGRESS, then FINISHED or ERROR as configured), and gather a
// carousel's items from its children.

import type { Request, Response } from 'express';
import type { MediaRules } from '../../platforms/media-rules.js';
import { param } from '../core/http.js';
import { processingAt, pullAndStore, type SandboxMedia } from '../core/media.js';
import type { SandboxState } from '../core/state.js';
import type { InstagramContainerStatus } from '../api-types.js';
import { graphError } from './meta.js';

export interface MediaContainer {
  id: string;
  platform: 'instagram' | 'threads';
  ownerId: string;
  text: string;
  /** The media Instagram or Threads pulled for it; a carousel's are in its children. */
  media?: SandboxMedia;
  carouselItem?: boolean;
  children?: MediaContainer[];
  /** A video's processing has finished. */
  processed?: boolean;
  idempotencyKey?: string;
  publishedId?: string;
  /** Instagram: the status_code each read reports (settings at creation) and how many reads there were. */
  statuses?: InstagramContainerStatus[];
  reads?: number;
}

/** Pulls and checks the container's media; false when it already answered with the platform's error. */
export async function pullContainerMedia(
  state: SandboxState,
  req: Request,
  res: Response,
  container: Pick<MediaContainer, 'platform' | 'ownerId'>,
  mediaType: string,
  rules: MediaRules,
): Promise<SandboxMedia | undefined | false> {
  const video = mediaType === 'VIDEO' || mediaType === 'REELS';
  const url = param(req, video ? 'video_url' : 'image_url');
  if (mediaType === 'TEXT' || mediaType === 'CAROUSEL') return undefined;
  const limits = video ? rules.video : rules.image;
  if (!limits) {
    graphError(res, 400, { message: `(#100) Param media_type ${mediaType} is not supported`, code: 100 });
    return false;
  }
  const pulled = await pullAndStore(state, url, limits, { platform: container.platform, ownerId: container.ownerId, alt: param(req, 'alt_text') });
  if (pulled.ok) return pulled.media;
  if (pulled.problem === 'tooLarge') graphError(res, 400, { message: `The ${video ? 'video' : 'image'} is too large. ${pulled.detail}`, code: 9004, error_subcode: 2207026 });
  else if (pulled.problem === 'unreachable') graphError(res, 400, { message: "Media download has failed. The media URI doesn't meet our requirements.", code: 9004, error_subcode: 2207052 });
  else graphError(res, 400, { message: `The media format is not supported. ${pulled.detail}`, code: 9004, error_subcode: 2207004 });
  return false;
}

/** A carousel's children: 2 or more item containers of the same owner. */
export function carouselChildren(containers: Map<string, MediaContainer>, ownerId: string, children: string | undefined, max: number): MediaContainer[] | string {
  const ids = (children ?? '').split(',').map((id) => id.trim()).filter(Boolean);
  if (ids.length < 2 || ids.length > max) return `(#100) A carousel needs 2 to ${max} children`;
  const found = ids.map((id) => containers.get(id));
  if (found.some((c) => !c || c.ownerId !== ownerId || !c.carouselItem)) return '(#100) Param children must be carousel item containers of this account';
  return found as MediaContainer[];
}

/** Where a container with a video stands; others are ready at once. */
export function mediaProcessing(state: SandboxState, container: MediaContainer): 'IN_PROGRESS' | 'FINISHED' | 'ERROR' {
  const items = container.children ? container.children : [container];
  let result: 'IN_PROGRESS' | 'FINISHED' | 'ERROR' = 'FINISHED';
  for (const item of items) {
    if (!item.media || !item.media.mimeType.startsWith('video/')) continue;
    const at = item.processed ? 'done' : processingAt(state, item.media);
    if (at === 'done') item.processed = true;
    if (at === 'failed') return 'ERROR';
    if (at === 'inProgress') result = 'IN_PROGRESS';
  }
  return result;
}

/** The media a published container shows: its own, or its children's in order. */
export function containerFiles(container: MediaContainer): { imageUrls: string[]; imageAlts: string[]; videoUrl?: string } {
  const items = (container.children ?? [container]).map((c) => c.media).filter((m): m is SandboxMedia => m !== undefined);
  const images = items.filter((m) => m.mimeType.startsWith('image/'));
  const video = items.find((m) => m.mimeType.startsWith('video/'));
  return { imageUrls: images.map((m) => m.path), imageAlts: images.map((m) => m.alt ?? ''), ...(video ? { videoUrl: video.path } : {}) };
}

/** Every video of the container has been processed (a status read saw it FINISHED); does not advance processing. */
export function videosReady(container: MediaContainer): boolean {
  return (container.children ?? [container]).every((item) => !item.media?.mimeType.startsWith('video/') || item.processed === true);
}
