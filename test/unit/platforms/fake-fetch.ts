// A scripted stand-in for fetch: answers requests in order and records what was sent.

import { createAdapters } from '../../../platforms/registry.js';
import type { AccountRef, MediaFile, PlatformAdapter, PlatformId } from '../../../platforms/types.js';
import { PLATFORM_IDS } from '../../../platforms/types.js';

export interface Scripted {
  status?: number;
  body?: unknown;
  /** Raw text instead of JSON. */
  text?: string;
  headers?: Record<string, string>;
  /** Throw this instead of answering (network failure). */
  error?: Error;
  /** Never answer; only the abort signal ends the request. */
  hang?: boolean;
}

export interface SentRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

export function scriptedFetch(script: Scripted[], fallback?: Scripted) {
  const sent: SentRequest[] = [];
  const queue = [...script];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const body = typeof init?.body === 'string' ? init.body : '';
    sent.push({ method: init?.method ?? 'GET', url: new URL(String(input)), headers: new Headers(init?.headers), body });
    const next = queue.shift() ?? fallback ?? { status: 200, body: {} };
    if (next.error) throw next.error;
    if (next.hang) {
      return new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    }
    const text = next.text ?? (next.body === undefined ? '' : JSON.stringify(next.body));
    const headers = new Headers(next.headers);
    if (next.text === undefined && next.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return new Response(text, { status: next.status ?? 200, headers });
  }) as typeof fetch;
  return { fetch: fetchImpl, sent };
}

export const NOW = new Date('2026-11-21T20:00:00.000Z');

export const allClients = Object.fromEntries(
  PLATFORM_IDS.map((id) => [id, { clientId: `${id}-client`, clientSecret: `${id}-secret` }]),
) as Record<PlatformId, { clientId: string; clientSecret: string }>;

export function adaptersWith(script: Scripted[], options: { fallback?: Scripted; timeoutMs?: number; now?: Date } = {}) {
  const fake = scriptedFetch(script, options.fallback);
  const adapters = createAdapters({
    mode: 'live',
    sandboxUrl: 'http://127.0.0.1:4010',
    clients: allClients,
    linkedinPartnerRefresh: false,
    fetch: fake.fetch,
    timeoutMs: options.timeoutMs,
    now: () => options.now ?? NOW,
    tiktok: { audited: false, verifiedDomains: ['images.example.com', 'i.example'] },
    // Every host name is public here; tests of the address rules pass their own lookup.
    addressLookup: async () => ['93.184.216.34'],
  });
  const get = (id: PlatformId): PlatformAdapter => {
    const adapter = adapters[id];
    if (!adapter) throw new Error(`no adapter for ${id}`);
    return adapter;
  };
  return { get, sent: fake.sent };
}

export const credentials = {
  accessToken: 'access-token-value',
  refreshToken: 'refresh-token-value',
  issuedAt: '2026-11-01T00:00:00.000Z',
};

export function accountFor(platform: PlatformId): AccountRef {
  return {
    platform,
    externalId: platform === 'bluesky' ? 'did:plc:abc123' : '12345',
    handle: 'someone',
    meta: platform === 'bluesky' ? { pdsUrl: 'https://pds.example.com' } : { userId: '999' },
  };
}

/** A stored JPEG as an adapter gets it, served from a domain verified for TikTok here. */
export const photo: MediaFile = {
  id: 'media-1',
  kind: 'image',
  mimeType: 'image/jpeg',
  bytes: 4,
  width: 1080,
  height: 1080,
  url: 'https://images.example.com/cat.jpg',
  read: async (start, end) => Buffer.from([0xff, 0xd8, 0xff, 0xd9]).subarray(start, end),
};

export const post = {
  text: 'Hello from Tether',
  media: [photo],
  boardId: 'board-1',
  idempotencyKey: 'key-1',
  choices: { privacyLevel: 'SELF_ONLY', musicConsent: true },
};

/** What resolving a Bluesky handle answers: the handle's well-known DID, then the DID document naming the PDS. */
export function blueskyLocated(did = 'did:plc:abc', pds = 'https://morel.us-east.host.bsky.network'): Scripted[] {
  return [
    { status: 200, text: did, headers: { 'content-type': 'text/plain' } },
    { status: 200, body: { id: did, service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: pds }] } },
  ];
}
