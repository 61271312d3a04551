import type { Request, Response } from 'express';
import type { Config } from '../../config/index.js';
import type { MediaInfo } from '../../platforms/types.js';
import { fetchMediaUrl } from '../../services/media/fetch-url.js';
import { inspectIncoming, MAX_MEDIA_BYTES, type IncomingMedia, type InspectedMedia } from '../../services/media/intake.js';
import type { FieldErrors } from '../respond.js';
import { altField, MEDIA_SLOTS, uploadedFile, uploadProblem } from './uploads.js';

// The media of a composed post: the uploaded files in slot order, then the file at the address the
// person typed (fetched once, with the SSRF guard), each with its alt text, inspected from their
// bytes. Nothing is stored here; the caller checks them against every chosen platform first.

export const MEDIA_FIELD_LABELS = { media: 'Media', mediaUrl: 'Media URL', alt: 'Alt text' };
const MAX_ALT = 5_000;
/** A fetched address must answer within this time. */
const URL_TIMEOUT_MS = 60_000;

export interface MediaInput {
  media: InspectedMedia[];
  errors: FieldErrors;
  /** Removes what was fetched (uploads are removed with the response). */
  cleanup(): Promise<void>;
}

const stringOf = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

export async function readMediaInput(req: Request, res: Response, config: Config): Promise<MediaInput> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const errors: FieldErrors = {};
  const removals: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    await Promise.all(removals.map((remove) => remove()));
  };
  const problem = uploadProblem(res);
  if (problem) errors.media = `${MEDIA_FIELD_LABELS.media}: ${problem}`;

  const incoming: IncomingMedia[] = [];
  for (let slot = 0; slot < MEDIA_SLOTS; slot += 1) {
    const alt = stringOf(body[altField(slot)]);
    if (alt.length > MAX_ALT) errors[altField(slot)] = `${MEDIA_FIELD_LABELS.alt} for file ${slot + 1}: must be at most ${MAX_ALT.toLocaleString('en-US')} characters`;
    const file = uploadedFile(req, slot);
    if (file) incoming.push({ path: file.path, label: `File ${slot + 1} (${file.originalname.slice(0, 100)})`, source: 'upload', ...(alt ? { alt: alt.slice(0, MAX_ALT) } : {}) });
  }

  const address = stringOf(body.mediaUrl);
  if (address && !errors.media) {
    if (address.length > 2000 || !URL.canParse(address)) {
      errors.mediaUrl = `${MEDIA_FIELD_LABELS.mediaUrl}: enter a full https address, like https://example.com/picture.jpg`;
    } else {
      const sandbox = config.platforms.mode === 'sandbox' ? `${config.platforms.sandboxUrl}/` : undefined;
      const fetched = await fetchMediaUrl(address, { maxBytes: MAX_MEDIA_BYTES, timeoutMs: URL_TIMEOUT_MS, trusted: (url) => sandbox !== undefined && url.startsWith(sandbox) });
      if (!fetched.ok) errors.mediaUrl = `${MEDIA_FIELD_LABELS.mediaUrl}: Tether could not take the file at this address: ${fetched.problem}`;
      else {
        removals.push(fetched.remove);
        const alt = stringOf(body.mediaUrlAlt).slice(0, MAX_ALT);
        incoming.push({ path: fetched.path, label: 'The file at the media URL', source: 'url', ...(alt ? { alt } : {}) });
      }
    }
  }

  if (Object.keys(errors).length > 0) return { media: [], errors, cleanup };
  const inspected = await inspectIncoming(incoming);
  if (!inspected.ok) return { media: [], errors: { media: `${MEDIA_FIELD_LABELS.media}: ${inspected.problem}` }, cleanup };
  return { media: inspected.media, errors, cleanup };
}

/** What the platforms check: each file's description, with the address Tether will serve it from. */
export function mediaInfos(media: InspectedMedia[], publicUrl: string): MediaInfo[] {
  return media.map((item) => ({ ...item.info, url: `${publicUrl}/media/` }));
}
