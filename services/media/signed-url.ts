import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config/index.js';

// The public address of a stored media file, for platforms that fetch media themselves (Instagram,
// Threads, Facebook, Pinterest, TikTok): `<PUBLIC_URL>/media/<expires>/<signature>/<mediaId>.<ext>`.
// The signature is an HMAC of the id and the expiry under a key derived from TOKEN_ENCRYPTION_KEY,
// so an address cannot be guessed, altered or used after it expires.

export interface MediaUrlSigner {
  /** The address of `mediaId`, valid until `expiresAt`. */
  url(media: { id: string; mimeType: string }, expiresAt: Date): string;
  /** The media id the path names, or why it is refused. */
  verify(path: { expires: string; signature: string; file: string }, now: Date): { ok: true; mediaId: string } | { ok: false; reason: 'malformed' | 'expired' | 'forged' };
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'image/tiff': 'tiff',
  'image/heic': 'heic',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
};

/** How long a platform has to fetch a file: long enough for a container that waits for processing. */
export const MEDIA_URL_LIFETIME_MS = 24 * 3600_000;

/** The signer of this installation: addresses under PUBLIC_URL, keyed by the current token key (a key rotation ends older addresses early, within their 24 h anyway). */
export function mediaUrlSignerFor(config: Pick<Config, 'web' | 'tokenEncryptionKey'>): MediaUrlSigner {
  return createMediaUrlSigner({ publicUrl: config.web.publicUrl, secret: config.tokenEncryptionKey.current.key });
}

export function createMediaUrlSigner(options: { publicUrl: string; secret: Buffer }): MediaUrlSigner {
  const key = Buffer.from(hkdfSync('sha256', options.secret, Buffer.alloc(0), 'tether media urls', 32));
  const sign = (mediaId: string, expires: string) => createHmac('sha256', key).update(`${mediaId}.${expires}`).digest('base64url');
  const base = options.publicUrl.replace(/\/$/, '');
  return {
    url(media, expiresAt) {
      const expires = String(Math.floor(expiresAt.getTime() / 1000));
      return `${base}/media/${expires}/${sign(media.id, expires)}/${media.id}.${EXTENSIONS[media.mimeType] ?? 'bin'}`;
    },
    verify({ expires, signature, file }, now) {
      const match = /^([0-9a-zA-Z-]{1,100})\.[a-z0-9]{2,5}$/.exec(file);
      if (!match || !/^\d{1,12}$/.test(expires) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return { ok: false, reason: 'malformed' };
      const mediaId = match[1]!;
      const expected = Buffer.from(sign(mediaId, expires));
      if (!timingSafeEqual(expected, Buffer.from(signature))) return { ok: false, reason: 'forged' };
      if (Number(expires) * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
      return { ok: true, mediaId };
    },
  };
}
