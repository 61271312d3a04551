// Default token lifetimes (the real platforms' defaults, platforms.md) and settings resolution.

import type { PlatformId } from '../../platforms/types.js';
import type { Lifetimes, SandboxSettings, SettingsPatch } from '../api-types.js';

const DAY = 86_400;

export const DEFAULT_LIFETIMES: Record<PlatformId, Lifetimes> = {
  x: { accessTokenSec: 7200, refreshTokenSec: 180 * DAY, codeSec: 30 },
  linkedin: { accessTokenSec: 60 * DAY, refreshTokenSec: 365 * DAY, codeSec: 1800 },
  facebook: { shortLivedSec: 2 * 3600, accessTokenSec: 5_183_944, codeSec: 600 },
  instagram: { shortLivedSec: 2 * 3600, accessTokenSec: 5_183_944, codeSec: 600 },
  threads: { shortLivedSec: 3600, accessTokenSec: 5_183_944, codeSec: 600 },
  tiktok: { accessTokenSec: 7200, refreshTokenSec: 180 * DAY, codeSec: 600 },
  youtube: { accessTokenSec: 3599, codeSec: 600 },
  pinterest: { accessTokenSec: 30 * DAY, refreshTokenSec: 60 * DAY, codeSec: 600 },
  bluesky: { accessTokenSec: 7200, refreshTokenSec: 90 * DAY },
};

export function defaultSettings(linkedinPartnerRefresh: boolean): SandboxSettings {
  return {
    lifetimes: {},
    platformLifetimes: {},
    linkedinPartnerRefresh,
    duplicateWindowSec: 600,
    blueskyRefreshGraceSec: 0,
    threadsMinRefreshAgeSec: DAY,
    tokenRateLimits: {},
    deauthorizeUrls: {},
    instagramContainerStatuses: ['IN_PROGRESS', 'FINISHED'],
    tiktokAudited: false,
    tiktokVerifiedDomains: [],
    pinterestAccess: 'standard',
    metaLoginConfigs: {},
    mediaProcessing: {},
  };
}

/** Per-platform override, then global override, then the platform default. */
export function lifetime(settings: SandboxSettings, platform: PlatformId, field: keyof Lifetimes): number | undefined {
  return settings.platformLifetimes[platform]?.[field] ?? settings.lifetimes[field] ?? DEFAULT_LIFETIMES[platform][field];
}

export function applySettingsPatch(settings: SandboxSettings, patch: SettingsPatch): void {
  if (patch.lifetimes) settings.lifetimes = { ...settings.lifetimes, ...patch.lifetimes };
  for (const [platform, value] of Object.entries(patch.platformLifetimes ?? {})) {
    const id = platform as PlatformId;
    settings.platformLifetimes[id] = { ...settings.platformLifetimes[id], ...value };
  }
  for (const [platform, value] of Object.entries(patch.tokenRateLimits ?? {})) {
    const id = platform as PlatformId;
    if (value === null) delete settings.tokenRateLimits[id];
    else if (value) settings.tokenRateLimits[id] = value;
  }
  if (patch.deauthorizeUrls) settings.deauthorizeUrls = { ...settings.deauthorizeUrls, ...patch.deauthorizeUrls };
  if (patch.linkedinPartnerRefresh !== undefined) settings.linkedinPartnerRefresh = patch.linkedinPartnerRefresh;
  if (patch.duplicateWindowSec !== undefined) settings.duplicateWindowSec = patch.duplicateWindowSec;
  if (patch.blueskyRefreshGraceSec !== undefined) settings.blueskyRefreshGraceSec = patch.blueskyRefreshGraceSec;
  if (patch.threadsMinRefreshAgeSec !== undefined) settings.threadsMinRefreshAgeSec = patch.threadsMinRefreshAgeSec;
  if (patch.instagramContainerStatuses) settings.instagramContainerStatuses = [...patch.instagramContainerStatuses];
  if (patch.tiktokAudited !== undefined) settings.tiktokAudited = patch.tiktokAudited;
  if (patch.tiktokVerifiedDomains) settings.tiktokVerifiedDomains = [...patch.tiktokVerifiedDomains];
  if (patch.pinterestAccess) settings.pinterestAccess = patch.pinterestAccess;
  if (patch.mediaProcessing) settings.mediaProcessing = { ...settings.mediaProcessing, ...patch.mediaProcessing };
  for (const [app, value] of Object.entries(patch.metaLoginConfigs ?? {}) as ['facebook' | 'instagram', { configId: string; scopes: string[] } | null][]) {
    if (value === null) delete settings.metaLoginConfigs[app];
    else settings.metaLoginConfigs[app] = value;
  }
}
