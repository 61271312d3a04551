// Media the emulated platforms hold: bytes uploaded to them or pulled from a public URL, checked
// like the platform checks them (type from the bytes, size), served back at /_sandbox/media/<id>
// for the public post pages, and a processing state that finishes, fails or stalls as configured.

import { randomBytes } from 'node:crypto';
import express, { type Express } from 'express';
import { baseUrl } from './http.js';
import { fileTypeFromBuffer } from 'file-type';
import type { PlatformId } from '../../platforms/types.js';
import type { SandboxState } from './state.js';

export interface SandboxMedia {
  id: string;
  platform: PlatformId;
  ownerId: string;
  mimeType: string;
  bytes: Buffer;
  /** Path on the sandbox where the bytes are served. */
  path: string;
  alt?: string;
  /** Status reads so far (processing finishes on the second read). */
  reads: number;
}

export interface MediaLimits {
  types: readonly string[];
  maxBytes: number;
}

export type MediaCheck = { ok: true; mimeType: string } | { ok: false; problem: 'wrongFormat' | 'tooLarge' | 'empty'; detail: string };

const bag = (state: SandboxState) => state.bag<SandboxMedia>('media');

/** What the platform would say about these bytes. */
export async function checkBytes(bytes: Buffer, limits: MediaLimits): Promise<MediaCheck> {
  if (bytes.length === 0) return { ok: false, problem: 'empty', detail: 'The file is empty.' };
  if (bytes.length > limits.maxBytes) return { ok: false, problem: 'tooLarge', detail: `The file is ${bytes.length} bytes; the limit is ${limits.maxBytes}.` };
  const type = await fileTypeFromBuffer(bytes);
  if (!type || !limits.types.includes(type.mime)) return { ok: false, problem: 'wrongFormat', detail: `The file type ${type?.mime ?? 'unknown'} is not supported.` };
  return { ok: true, mimeType: type.mime };
}

export function storeMedia(state: SandboxState, input: Omit<SandboxMedia, 'id' | 'path' | 'reads'>): SandboxMedia {
  const id = randomBytes(12).toString('hex');
  const media: SandboxMedia = { ...input, id, path: `/_sandbox/media/${id}`, reads: 0 };
  bag(state).set(id, media);
  return media;
}

export function findMedia(state: SandboxState, id: string | undefined): SandboxMedia | undefined {
  return id === undefined ? undefined : bag(state).get(id);
}

export type Pulled = { ok: true; bytes: Buffer } | { ok: false; problem: 'unreachable' | 'tooLarge'; detail: string };

/** Fetches a media URL the way a platform's crawler does (any http(s) address in the sandbox). */
export async function pullMedia(url: string | undefined, maxBytes: number): Promise<Pulled> {
  if (!url || !/^https?:\/\//.test(url)) return { ok: false, problem: 'unreachable', detail: 'The media URL is missing or not http(s).' };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return { ok: false, problem: 'unreachable', detail: `The media URL answered HTTP ${response.status}.` };
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > maxBytes) return { ok: false, problem: 'tooLarge', detail: `The file is ${bytes.length} bytes; the limit is ${maxBytes}.` };
    return { ok: true, bytes };
  } catch {
    return { ok: false, problem: 'unreachable', detail: 'The media URL could not be fetched.' };
  }
}

export type PulledMedia = { ok: true; media: SandboxMedia } | { ok: false; problem: 'unreachable' | 'tooLarge' | 'wrongFormat' | 'empty'; detail: string };

/** Pulls a URL like the platform's crawler, checks the bytes, and keeps them for `owner`. */
export async function pullAndStore(
  state: SandboxState,
  url: string | undefined,
  limits: MediaLimits,
  owner: { platform: PlatformId; ownerId: string; alt?: string },
): Promise<PulledMedia> {
  const pulled = await pullMedia(url, limits.maxBytes);
  if (!pulled.ok) return pulled;
  const checked = await checkBytes(pulled.bytes, limits);
  if (!checked.ok) return checked;
  return { ok: true, media: storeMedia(state, { ...owner, mimeType: checked.mimeType, bytes: pulled.bytes }) };
}

/**
 * Where processing of `media` stands at this read: `finish` reports in progress on the first read
 * and done after; `fail` fails; `stall` stays in progress.
 */
export function processingAt(state: SandboxState, media: { platform: PlatformId; reads: number }): 'inProgress' | 'done' | 'failed' {
  const mode = state.settings.mediaProcessing[media.platform] ?? 'finish';
  media.reads += 1;
  if (mode === 'fail') return 'failed';
  if (mode === 'stall') return 'inProgress';
  return media.reads > 1 ? 'done' : 'inProgress';
}

/**
 * The sandbox's media files, and a stand-in for "some public web server" that tests put images and
 * videos on (POST the bytes to /_sandbox/hosted) to hand their addresses to platforms that fetch.
 */
export function mountMediaFiles(app: Express, state: SandboxState): void {
  const hosted = () => state.bag<{ bytes: Buffer; mimeType: string }>('hosted-files');
  app.post('/_sandbox/hosted', express.raw({ type: () => true, limit: '64mb' }), async (req, res) => {
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const type = await fileTypeFromBuffer(bytes);
    const name = `${randomBytes(8).toString('hex')}.${type?.ext ?? 'bin'}`;
    hosted().set(name, { bytes, mimeType: type?.mime ?? 'application/octet-stream' });
    res.status(201).json({ url: `${baseUrl(state, req)}/_sandbox/hosted/${name}` });
  });
  app.get('/_sandbox/hosted/:name', (req, res) => {
    const file = hosted().get(req.params.name);
    if (!file) {
      res.status(404).type('text').send('No such file');
      return;
    }
    res.type(file.mimeType).send(file.bytes);
  });

  app.get('/_sandbox/media/:id', (req, res) => {
    const media = findMedia(state, req.params.id);
    if (!media) {
      res.status(404).type('text').send('No such media');
      return;
    }
    res.type(media.mimeType).set('cache-control', 'no-store').send(media.bytes);
  });
}
