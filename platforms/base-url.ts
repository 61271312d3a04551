// The one place that turns a real platform URL into the URL actually called.
// Sandbox mode: `https://<host>/<path>` becomes `<sandboxUrl>/<host>/<path>`.

export type PlatformMode = 'sandbox' | 'live';

export interface UrlMapping {
  mode: PlatformMode;
  sandboxUrl: string;
}

export function resolvePlatformUrl(realUrl: string, mapping: UrlMapping): string {
  if (mapping.mode === 'live') return realUrl;
  const sandboxBase = mapping.sandboxUrl.replace(/\/$/, '');
  // A URL the sandbox itself handed out (e.g. a Bluesky PDS endpoint) is already mapped.
  if (realUrl === sandboxBase || realUrl.startsWith(`${sandboxBase}/`)) return realUrl;
  const url = new URL(realUrl);
  return `${sandboxBase}/${url.host}${url.pathname}${url.search}`;
}
