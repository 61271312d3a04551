import type { Config } from '../config/index.js';

/**
 * URLs that come from platforms (avatars, permalinks of published posts) are shown only when they
 * are `https:`: a platform answer (or whoever forged one) must not put a `javascript:` link or a
 * plain-http resource into the dashboard. In sandbox mode the local sandbox's own origin is
 * allowed too (production refuses sandbox mode).
 */
export function platformUrlFilter(platforms: Pick<Config['platforms'], 'mode' | 'sandboxUrl'>): (candidate: unknown) => string | undefined {
  const sandboxOrigin = platforms.mode === 'sandbox' ? new URL(platforms.sandboxUrl).origin : undefined;
  return (candidate) => {
    if (typeof candidate !== 'string' || candidate.length > 2048) return undefined;
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      return undefined;
    }
    if (url.protocol === 'https:' || (sandboxOrigin !== undefined && url.origin === sandboxOrigin)) return url.href;
    return undefined;
  };
}
