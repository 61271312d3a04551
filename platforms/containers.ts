// Instagram and Threads publish through media containers the platform fills from a public URL: one
// container for a single image or video, or one per item plus a CAROUSEL container for several.
// Each container must be FINISHED before it is used. Item containers are recorded per media file,
// so a retry reuses them (containers expire after 24 hours).

import { uploadOnce, waitForProcessing, type ProcessingPoll, type ProcessingState } from './media-upload.js';
import { ok } from './outcome.js';
import type { MediaFile, Outcome, PostInput } from './types.js';

export interface ContainerApi {
  platformName: string;
  /**
   * Creates a container from these fields; answers its id. `part` tells a carousel's containers
   * apart (`item-<media id>`, `carousel`) so each has its own idempotency key; empty for a single one.
   */
  create(fields: Record<string, string>, part: string): Promise<Outcome<string>>;
  status(containerId: string): Promise<Outcome<ProcessingState>>;
  /** The fields of one media item (`image_url`, `video_url`, `media_type`, `alt_text`). */
  itemFields(media: MediaFile): Record<string, string>;
}

const CONTAINER_LIFETIME_MS = 24 * 3600_000;

/** The container to publish for the post: its media as one item or a carousel, with the caption fields. */
export async function containerForPost(api: ContainerApi, poll: ProcessingPoll, post: PostInput, caption: Record<string, string>): Promise<Outcome<string>> {
  const media = post.media ?? [];
  const ready = async (id: string): Promise<Outcome<string>> => {
    const done = await waitForProcessing(poll, api.platformName, () => api.status(id), post.onProgress);
    return done.kind === 'ok' ? ok(id) : done;
  };
  const step = api.platformName.toLowerCase();
  /** A container recorded per media file: a retry after "still processing" waits for the same one. */
  const recorded = async (item: MediaFile, name: string, fields: Record<string, string>, part: string): Promise<Outcome<string>> => {
    const id = await uploadOnce(post, item, `${step}-${name}`, async () => {
      const created = await api.create(fields, part);
      return created.kind === 'ok' ? ok({ ref: created.value, expiresAt: new Date(Date.now() + CONTAINER_LIFETIME_MS) }) : created;
    });
    return id.kind === 'ok' ? ready(id.value) : id;
  };
  const only = media.length === 1 ? media[0] : undefined;
  if (only) return recorded(only, 'single', { ...api.itemFields(only), ...caption }, '');
  if (media.length === 0) {
    const created = await api.create(caption, '');
    return created.kind === 'ok' ? ready(created.value) : created;
  }
  const children: string[] = [];
  for (const item of media) {
    const child = await recorded(item, 'item', { ...api.itemFields(item), is_carousel_item: 'true' }, `item-${item.id}`);
    if (child.kind !== 'ok') return child;
    children.push(child.value);
  }
  const carousel = await api.create({ media_type: 'CAROUSEL', children: children.join(','), ...caption }, 'carousel');
  return carousel.kind === 'ok' ? ready(carousel.value) : carousel;
}

/** The idempotency key of one container of a publish. */
export const containerKey = (idempotencyKey: string, part: string) => (part ? `${idempotencyKey}-${part}` : idempotencyKey);

/** Instagram's `status_code` and Threads' `status` of a container, as a processing state. */
export function containerState(platformName: string, code: string, detail: string | undefined): ProcessingState {
  if (code === 'FINISHED' || code === 'PUBLISHED') return { state: 'done' };
  if (code === 'ERROR') {
    return { state: 'failed', message: `${platformName} could not process the media${detail ? ` (${detail.replace(/\.$/, '')})` : ''}; check the file` };
  }
  if (code === 'EXPIRED') return { state: 'failed', message: `${platformName} let the upload expire before it was published (an upload lasts 24 hours); publish the post again` };
  return { state: 'pending' };
}
