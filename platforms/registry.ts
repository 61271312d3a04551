// Builds the platform adapters from configuration. The only entry point other modules use.

import { resolvePlatformUrl, type PlatformMode, type UrlMapping } from './base-url.js';
import { createBlueskyAdapter } from './bluesky.js';
import { createFacebookAdapter } from './facebook.js';
import { PlatformHttp, type RequestRecord } from './http.js';
import { createInstagramAdapter, type ContainerPoll } from './instagram.js';
import type { ProcessingPoll } from './media-upload.js';
import type { AddressLookup } from './pds-address.js';
import { createLinkedInAdapter } from './linkedin.js';
import type { AdapterDeps, OAuthClient } from './oauth.js';
import { createPinterestAdapter } from './pinterest.js';
import { createThreadsAdapter } from './threads.js';
import { createTikTokAdapter } from './tiktok.js';
import { DEFAULT_PLATFORM_SETTINGS, type PlatformSettings } from './settings.js';
import { PLATFORM_IDS, PLATFORM_NAMES, type PlatformAdapter, type PlatformId } from './types.js';
import { createXAdapter } from './x.js';
import { createYouTubeAdapter } from './youtube.js';

export interface AdapterOptions extends Partial<PlatformSettings> {
  mode: PlatformMode;
  sandboxUrl: string;
  clients: Partial<Record<PlatformId, OAuthClient>>;
  linkedinPartnerRefresh: boolean;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Clock for rate-limit reset times and token lifetimes (tests). */
  now?: () => Date;
  /** Called after every platform request with method, host, path, status and duration — never tokens. */
  onRequest?: (record: RequestRecord) => void;
  /** Resolves host names for the Bluesky PDS address check (tests replace DNS). */
  addressLookup?: AddressLookup;
  /** How Instagram publishing waits for a media container (tests shorten it). */
  instagramContainerPoll?: ContainerPoll;
  /** How X, LinkedIn, Threads and TikTok wait for an upload to be processed (tests shorten it). */
  mediaProcessingPoll?: ProcessingPoll;
}

/**
 * One adapter per platform that can be used: OAuth platforms need a configured client; Bluesky
 * (app passwords) needs none and is always present.
 */
export function createAdapters(input: AdapterOptions): Partial<Record<PlatformId, PlatformAdapter>> {
  const options: Options = { ...DEFAULT_PLATFORM_SETTINGS, ...input };
  const httpFor = (id: PlatformId) =>
    new PlatformHttp({
      platformName: PLATFORM_NAMES[id],
      mapping: { mode: options.mode, sandboxUrl: options.sandboxUrl },
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
      now: options.now,
      onRequest: options.onRequest,
    });
  const adapters: Partial<Record<PlatformId, PlatformAdapter>> = {};
  for (const id of PLATFORM_IDS) {
    if (id === 'bluesky') {
      adapters.bluesky = createBlueskyAdapter({ http: httpFor(id) }, { mode: options.mode, sandboxUrl: options.sandboxUrl, lookup: options.addressLookup });
      continue;
    }
    if (id === 'linkedin') {
      const linkedin = buildLinkedIn(httpFor(id), options);
      if (linkedin) adapters.linkedin = linkedin;
      continue;
    }
    const client = options.clients[id];
    if (!client) continue;
    const deps: AdapterDeps = { http: httpFor(id), client };
    adapters[id] = build(id, deps, options);
  }
  const mapping = { mode: options.mode, sandboxUrl: options.sandboxUrl };
  for (const id of PLATFORM_IDS) if (adapters[id]) adapters[id] = withReachablePostUrls(adapters[id], mapping);
  return adapters;
}

/** In sandbox mode a published post's public URL points at the sandbox's copy of the platform's page. */
function withReachablePostUrls(adapter: PlatformAdapter, mapping: UrlMapping): PlatformAdapter {
  if (mapping.mode === 'live') return adapter;
  return {
    ...adapter,
    async publish(account, credentials, post) {
      const result = await adapter.publish(account, credentials, post);
      return result.kind === 'ok' ? { kind: 'ok', value: { ...result.value, url: resolvePlatformUrl(result.value.url, mapping) } } : result;
    },
  };
}

type Options = AdapterOptions & PlatformSettings;

/** LinkedIn is offered when the app of its mode (member or organization) is configured. */
function buildLinkedIn(http: PlatformHttp, options: Options): PlatformAdapter | undefined {
  const { mode, organizationClient } = options.linkedin;
  const memberClient = options.clients.linkedin;
  if (!(mode === 'organization' ? organizationClient : memberClient)) return undefined;
  return createLinkedInAdapter(
    { http },
    { partnerRefresh: options.linkedinPartnerRefresh, mode, version: options.apiVersions.linkedin, memberClient, organizationClient, processingPoll: options.mediaProcessingPoll },
  );
}

function build(id: Exclude<PlatformId, 'bluesky' | 'linkedin'>, deps: AdapterDeps, options: Options): PlatformAdapter {
  const meta = (app: 'facebook' | 'instagram') => ({ graphVersion: options.apiVersions.metaGraph, configId: options.loginConfigIds[app] });
  switch (id) {
    case 'x':
      return createXAdapter(deps, options.mediaProcessingPoll);
    case 'facebook':
      return createFacebookAdapter(deps, meta('facebook'));
    case 'instagram':
      return createInstagramAdapter(deps, { ...meta('instagram'), containerPoll: options.instagramContainerPoll });
    case 'threads':
      return createThreadsAdapter(deps, options.mediaProcessingPoll);
    case 'youtube':
      return createYouTubeAdapter(deps);
    case 'pinterest':
      return createPinterestAdapter(deps);
    case 'tiktok':
      return createTikTokAdapter(deps, options.tiktok, options.mediaProcessingPoll);
  }
}
