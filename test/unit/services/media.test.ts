import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkMedia, type MediaRules } from '../../../platforms/media-rules.js';
import type { MediaInfo } from '../../../platforms/types.js';
import { fetchMediaUrl, type FetchPolicy } from '../../../services/media/fetch-url.js';
import { inspectBuffer } from '../../../services/media/inspect.js';
import { createMediaUrlSigner } from '../../../services/media/signed-url.js';

const fixture = (name: string) => readFile(new URL(`../../fixtures/media/${name}`, import.meta.url));

describe('signed media addresses', () => {
  const signer = createMediaUrlSigner({ publicUrl: 'https://tether.example/', secret: Buffer.alloc(32, 7) });
  const now = new Date('2026-12-01T12:00:00Z');
  const parts = (url: string) => {
    const [, expires, signature, file] = /\/media\/(\d+)\/([^/]+)\/([^/]+)$/.exec(url)!;
    return { expires: expires!, signature: signature!, file: file! };
  };

  it('opens the file it names until it expires, and nothing once altered or expired', () => {
    const url = signer.url({ id: 'abc-123', mimeType: 'image/jpeg' }, new Date(now.getTime() + 3600_000));
    expect(url).toMatch(/^https:\/\/tether\.example\/media\/\d+\/[A-Za-z0-9_-]{43}\/abc-123\.jpg$/);
    expect(signer.verify(parts(url), now)).toEqual({ ok: true, mediaId: 'abc-123' });
    expect(signer.verify({ ...parts(url), file: 'abc-124.jpg' }, now)).toEqual({ ok: false, reason: 'forged' });
    expect(signer.verify({ ...parts(url), expires: String(Number(parts(url).expires) + 60) }, now)).toEqual({ ok: false, reason: 'forged' });
    expect(signer.verify(parts(url), new Date(now.getTime() + 3601_000))).toEqual({ ok: false, reason: 'expired' });
    expect(signer.verify({ ...parts(url), file: '../etc/passwd' }, now)).toEqual({ ok: false, reason: 'malformed' });
    const other = createMediaUrlSigner({ publicUrl: 'https://tether.example', secret: Buffer.alloc(32, 8) });
    expect(other.verify(parts(url), now)).toEqual({ ok: false, reason: 'forged' });
  });
});

describe('fetching a media address behind the SSRF guard', () => {
  const publicLookup = async () => ['93.184.216.34'];
  const answer = (body: Buffer | string, headers: Record<string, string>, status = 200) => new Response(body, { status, headers });
  const policy = (fetch: FetchPolicy['fetch'], extra: Partial<FetchPolicy> = {}): FetchPolicy => ({ maxBytes: 1024 * 1024, timeoutMs: 2_000, lookup: publicLookup, fetch, ...extra });

  it('stores an image from a public https address', async () => {
    const bytes = await fixture('bars.png');
    const fetched = await fetchMediaUrl('https://images.example.com/bars.png', policy(async () => answer(bytes, { 'content-type': 'image/png' })));
    if (!fetched.ok) throw new Error(fetched.problem);
    expect(fetched.bytes).toBe(bytes.length);
    expect((await readFile(fetched.path)).equals(bytes)).toBe(true);
    await fetched.remove();
  });

  it('refuses plain http, private and local addresses, and names that resolve to them, before any request', async () => {
    const requests: string[] = [];
    const fetch = async (url: string | URL | Request) => {
      requests.push(String(url));
      return answer('x', { 'content-type': 'image/png' });
    };
    const problem = async (url: string, lookup = publicLookup) => {
      const fetched = await fetchMediaUrl(url, policy(fetch as typeof globalThis.fetch, { lookup }));
      return fetched.ok ? 'fetched' : fetched.problem;
    };
    expect(await problem('http://images.example.com/a.png')).toBe('the address does not use https');
    expect(await problem('https://127.0.0.1/a.png')).toBe('the address is a loopback address');
    expect(await problem('https://[::1]/a.png')).toBe('the address is a loopback address');
    expect(await problem('https://169.254.169.254/latest/meta-data')).toBe('the address is a linkLocal address');
    expect(await problem('https://192.168.1.10/a.png')).toBe('the address is a private address');
    expect(await problem('https://printer.local/a.png')).toBe('the address is a local host name');
    expect(await problem('https://user:pw@images.example.com/a.png')).toBe('the address carries credentials');
    expect(await problem('https://rebind.example.com/a.png', async () => ['10.0.0.5'])).toBe('the address resolves to a private address (10.0.0.5)');
    expect(requests).toEqual([]);
  });

  it('checks every redirect again, and refuses what is not an image or video, or too large', async () => {
    const redirecting = await fetchMediaUrl(
      'https://images.example.com/a.png',
      policy(async () => answer('', { location: 'https://10.0.0.1/internal.png' }, 302)),
    );
    expect(redirecting).toEqual({ ok: false, problem: 'it redirects to an address that is a private address' });
    const html = await fetchMediaUrl('https://images.example.com/a.png', policy(async () => answer('<html></html>', { 'content-type': 'text/html' })));
    expect(html).toEqual({ ok: false, problem: 'it is not an image or a video (text/html)' });
    const declared = await fetchMediaUrl('https://images.example.com/a.png', policy(async () => answer('x', { 'content-type': 'image/png', 'content-length': String(5 * 1024 * 1024) })));
    expect(declared).toEqual({ ok: false, problem: "it is 5 MB, over Tether's limit of 1 MB" });
    // A server that lies about (or omits) the length is cut off once the bytes pass the limit.
    const streamed = await fetchMediaUrl('https://images.example.com/a.png', policy(async () => answer(Buffer.alloc(2 * 1024 * 1024), { 'content-type': 'image/png' })));
    expect(streamed).toEqual({ ok: false, problem: "it is over Tether's limit of 1 MB" });
  });

  it('gives up on an address that does not answer in time', async () => {
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'TimeoutError' }))));
    expect(await fetchMediaUrl('https://slow.example.com/a.png', policy(hanging, { timeoutMs: 50 }))).toEqual({ ok: false, problem: 'it did not answer within 0.05 s' });
  });
});

describe('inspecting media from their bytes', () => {
  it('reads the type, size and duration from the file, never from its name', async () => {
    expect(await inspectBuffer(await fixture('wide.jpg'))).toEqual({ ok: true, info: { kind: 'image', mimeType: 'image/jpeg', bytes: 19983, width: 1200, height: 300 } });
    const video = await inspectBuffer(await fixture('one-second.mp4'));
    expect(video).toMatchObject({ ok: true, info: { kind: 'video', mimeType: 'video/mp4', width: 320, height: 240 } });
    expect(video.ok && video.info.durationSec).toBeCloseTo(1, 1);
    expect(await inspectBuffer(Buffer.from('just text, named photo.jpg'))).toEqual({ ok: false, problem: 'is not an image or video Tether can publish (its type is unknown)' });
  });
});

describe('each platform’s media rules', () => {
  const rules: MediaRules = {
    image: { maxCount: 2, types: ['image/jpeg'], maxBytes: 1_000_000, minAspect: 0.8, maxAspect: 1.91, maxAltLength: 10 },
    video: { types: ['video/mp4'], maxBytes: 5_000_000, minDurationSec: 3, maxDurationSec: 60 },
    mixed: false,
  };
  const jpeg: MediaInfo = { kind: 'image', mimeType: 'image/jpeg', bytes: 50_000, width: 1000, height: 1000 };
  const mp4: MediaInfo = { kind: 'video', mimeType: 'video/mp4', bytes: 90_000, width: 360, height: 640, durationSec: 4 };

  it('names the platform and the rule each file breaks', () => {
    expect(checkMedia('Gram', rules, [jpeg, mp4])).toEqual(['Gram does not take images and a video in the same post']);
    expect(checkMedia('Gram', rules, [jpeg, jpeg, jpeg])).toEqual(['Gram takes at most 2 images per post; this post has 3']);
    expect(checkMedia('Gram', rules, [{ ...jpeg, mimeType: 'image/png' }])).toEqual(['Gram takes JPEG images; the image is PNG']);
    expect(checkMedia('Gram', rules, [{ ...jpeg, bytes: 2_000_000 }])).toEqual(['Gram takes images up to 977 KB; the image is 1.9 MB']);
    expect(checkMedia('Gram', rules, [{ ...jpeg, width: 1200, height: 300 }])).toEqual([
      'Gram takes images with an aspect ratio (width:height) between 0.8:1 and 1.91:1; the image is 1200×300 (4:1)',
    ]);
    expect(checkMedia('Gram', rules, [{ ...jpeg, alt: 'far too long a text' }])).toEqual(['Gram takes alt text up to 10 characters; the text for the image has 19']);
    expect(checkMedia('Gram', rules, [{ ...mp4, durationSec: 1 }])).toEqual(['Gram takes videos from 3 s to 60 s long; the video is 1 s']);
    expect(checkMedia('Gram', { mixed: false, required: 'video', video: rules.video }, [jpeg])).toEqual([
      'Gram needs a video for every post; add one',
      'Gram posts from Tether take no images; attach a video instead',
    ]);
    // A platform without alt text publishes the image without it.
    expect(checkMedia('Plain', { ...rules, image: { ...rules.image!, maxAltLength: undefined } }, [{ ...jpeg, alt: 'a long description of the image' }])).toEqual([]);
  });
});
