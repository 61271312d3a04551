import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { publicHttpsProblem, type AddressLookup } from '../../platforms/pds-address.js';
import { formatBytes } from '../../platforms/media-rules.js';

// Fetching a media file from an address the person typed, once, into a temporary file: https only,
// public addresses only (each redirect checked again), a size limit enforced while the bytes
// arrive, a time limit on the whole fetch, and an image or video content type. The bytes are then
// inspected like an upload.

export interface FetchPolicy {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  lookup?: AddressLookup;
  fetch?: typeof fetch;
  /** Addresses allowed without the public-address rule (the sandbox in sandbox mode). */
  trusted?: (url: string) => boolean;
}

export type Fetched = { ok: true; path: string; bytes: number; remove(): Promise<void> } | { ok: false; problem: string };

export async function fetchMediaUrl(address: string, policy: FetchPolicy): Promise<Fetched> {
  const fetchImpl = policy.fetch ?? fetch;
  const signal = AbortSignal.timeout(policy.timeoutMs);
  let url = address;
  let response: Response | undefined;
  try {
    for (let hop = 0; hop <= (policy.maxRedirects ?? 3); hop += 1) {
      if (!policy.trusted?.(url)) {
        const problem = await publicHttpsProblem(url, { resolve: true, lookup: policy.lookup });
        if (problem) return { ok: false, problem: hop === 0 ? `the address ${problem}` : `it redirects to an address that ${problem}` };
      }
      response = await fetchImpl(url, { redirect: 'manual', signal, headers: { accept: 'image/*, video/*' } });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        url = new URL(location, url).toString();
        response = undefined;
        continue;
      }
      break;
    }
  } catch (error) {
    return { ok: false, problem: timedOut(error) ? `it did not answer within ${policy.timeoutMs / 1000} s` : 'it could not be reached' };
  }
  if (!response) return { ok: false, problem: 'it redirects too many times' };
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    return { ok: false, problem: `it answered HTTP ${response.status}` };
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!type.startsWith('image/') && !type.startsWith('video/')) {
    await response.body.cancel();
    return { ok: false, problem: `it is not an image or a video (${type || 'no content type'})` };
  }
  const declared = Number(response.headers.get('content-length') ?? 'NaN');
  if (declared > policy.maxBytes) {
    await response.body.cancel();
    return { ok: false, problem: `it is ${formatBytes(declared)}, over Tether's limit of ${formatBytes(policy.maxBytes)}` };
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'tether-fetch-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  const file = path.join(dir, 'media');
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > policy.maxBytes ? new Error('too large') : null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), limit, createWriteStream(file));
  } catch (error) {
    await remove();
    if (bytes > policy.maxBytes) return { ok: false, problem: `it is over Tether's limit of ${formatBytes(policy.maxBytes)}` };
    return { ok: false, problem: timedOut(error) ? `it did not finish within ${policy.timeoutMs / 1000} s` : 'the download broke off' };
  }
  return { ok: true, path: file, bytes, remove };
}

function timedOut(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return name === 'TimeoutError' || name === 'AbortError';
}
