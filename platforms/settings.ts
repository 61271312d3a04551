// What an operator chooses about each platform beyond its OAuth client: which LinkedIn app new
// connects go through, the dated API versions, Facebook Login for Business configurations, and
// what the TikTok app is allowed to do. Parsed from the environment by config/; defaults here.

import { DEFAULT_LINKEDIN_VERSION, DEFAULT_META_GRAPH_VERSION, type ApiVersions } from './api-versions.js';
import type { OAuthClient } from './oauth.js';

/**
 * LinkedIn products cannot share one app: the Community Management API must be the only product
 * on its app. `member` connects through the OpenID + Share on LinkedIn app (`LINKEDIN_CLIENT_ID`),
 * `organization` through the Community Management app (`LINKEDIN_ORGANIZATION_CLIENT_ID`).
 */
export type LinkedInMode = 'member' | 'organization';

export interface TikTokSettings {
  /** The app passed TikTok's audit; until then every post is private (`SELF_ONLY`). */
  audited: boolean;
  /** Domains (or URL prefixes) verified for the app in TikTok's developer portal; TikTok pulls media only from them. */
  verifiedDomains: string[];
}

export interface PlatformSettings {
  linkedin: { mode: LinkedInMode; organizationClient?: OAuthClient };
  apiVersions: ApiVersions;
  /** Facebook Login for Business configuration per Meta app; sent as `config_id` instead of `scope`. */
  loginConfigIds: { facebook?: string; instagram?: string };
  tiktok: TikTokSettings;
}

export const DEFAULT_PLATFORM_SETTINGS: PlatformSettings = {
  linkedin: { mode: 'member' },
  apiVersions: { linkedin: DEFAULT_LINKEDIN_VERSION, metaGraph: DEFAULT_META_GRAPH_VERSION },
  loginConfigIds: {},
  tiktok: { audited: false, verifiedDomains: [] },
};

/** True when `url` is on one of the verified domains (a bare domain covers its subdomains; an https prefix covers what starts with it). */
export function isOnVerifiedDomain(url: string, verified: string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return verified.some((entry) => {
    const rule = entry.trim().toLowerCase();
    if (rule === '') return false;
    if (/^https?:\/\//.test(rule)) return url.toLowerCase().startsWith(rule);
    const host = parsed.hostname.toLowerCase();
    return host === rule || host.endsWith(`.${rule}`);
  });
}
