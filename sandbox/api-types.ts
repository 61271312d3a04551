// Wire types of the sandbox control API (`/_sandbox/...`), shared by the server and SandboxClient.

import type { PlatformId } from '../platforms/types.js';

export type SubscriptionType = 'None' | 'Basic' | 'Premium' | 'PremiumPlus';

/** Token and code lifetimes in seconds. Any field left out keeps its current value. */
export interface Lifetimes {
  /** Access token (Meta/Threads: the long-lived user token). */
  accessTokenSec?: number;
  /** Refresh token (LinkedIn: fixed from the first consent; others: from issue). */
  refreshTokenSec?: number;
  /** Meta and Threads: the short-lived token a code exchange returns. */
  shortLivedSec?: number;
  /** Authorization code. */
  codeSec?: number;
}

export interface TokenEndpointRateLimit {
  /** Requests allowed per window on the platform's token endpoint(s); past it they get a 429. */
  limit: number;
  windowSec: number;
}

export interface SandboxSettings {
  /** Overrides for every platform; per-platform overrides win over these. */
  lifetimes: Lifetimes;
  platformLifetimes: Partial<Record<PlatformId, Lifetimes>>;
  linkedinPartnerRefresh: boolean;
  /** Identical text on the same account within this window is a duplicate (X, Facebook, LinkedIn). */
  duplicateWindowSec: number;
  /** Bluesky: how long a rotated-away refresh JWT still works (real PDS: 7200). Default 0 (strict). */
  blueskyRefreshGraceSec: number;
  /** Threads: minimum token age for th_refresh_token (real: 86400). */
  threadsMinRefreshAgeSec: number;
  tokenRateLimits: Partial<Record<PlatformId, TokenEndpointRateLimit>>;
  deauthorizeUrls: DeauthorizeUrls;
  /**
   * Instagram: the `status_code` a new media container reports at each status read, the last one
   * sticking (default IN_PROGRESS, then FINISHED). media_publish refuses a container not FINISHED.
   */
  instagramContainerStatuses: InstagramContainerStatus[];
  /** TikTok: the app passed TikTok's audit (default false: SELF_ONLY posts to private accounts only). */
  tiktokAudited: boolean;
  /** TikTok: domains (or https URL prefixes) verified for the app; PULL_FROM_URL from others is refused. */
  tiktokVerifiedDomains: string[];
  /** Pinterest: the app's access tier; Trial apps may not create Pins on the production API (403 code 29). */
  pinterestAccess: 'trial' | 'standard';
  /**
   * Facebook Login for Business: a Meta app listed here is a Business app whose dialog takes a
   * `config_id` (its configuration's permissions) and refuses a plain `scope` request.
   */
  metaLoginConfigs: Partial<Record<'facebook' | 'instagram', { configId: string; scopes: string[] }>>;
  /**
   * How each platform's media processing ends (X, LinkedIn video, Threads, Instagram, TikTok):
   * `finish` (default), `fail` (the platform's "processing failed"), `stall` (still running at every read).
   */
  mediaProcessing: Partial<Record<PlatformId, MediaProcessing>>;
}

export type MediaProcessing = 'finish' | 'fail' | 'stall';

export type InstagramContainerStatus = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED';

export type SettingsPatch = Partial<Omit<SandboxSettings, 'platformLifetimes' | 'tokenRateLimits' | 'deauthorizeUrls' | 'metaLoginConfigs'>> & {
  /** `null` turns an app back into a consumer app (plain `scope`). */
  metaLoginConfigs?: Partial<Record<'facebook' | 'instagram', { configId: string; scopes: string[] } | null>>;
  platformLifetimes?: Partial<Record<PlatformId, Lifetimes>>;
  /** `null` removes a platform's limit. */
  tokenRateLimits?: Partial<Record<PlatformId, TokenEndpointRateLimit | null>>;
  deauthorizeUrls?: DeauthorizeUrls;
};

export interface DeauthorizeUrls {
  /** Facebook (and Instagram via Facebook Login unless `instagram` is set): signed_request POST. */
  facebook?: string;
  instagram?: string;
  threads?: string;
  /** TikTok `authorization.removed` webhook. */
  tiktok?: string;
}

export interface SandboxPage {
  id: string;
  name: string;
  category: string;
  /** Linked Instagram business account, when the Page has one. */
  instagram?: { id: string; username: string; name: string };
}

export interface SandboxIdentityView {
  platform: PlatformId;
  /** The platform's user id (X user id, LinkedIn member id, Facebook user id, DID, open_id, ...). */
  id: string;
  handle: string;
  displayName: string;
  avatarUrl: string;
  email?: string;
  subscriptionType?: SubscriptionType;
  verifiedType?: string;
  pages?: SandboxPage[];
  organizations?: { id: string; name: string; vanityName: string }[];
  boards?: { id: string; name: string; privacy: 'PUBLIC' | 'SECRET' }[];
  channel?: { id: string; title: string; customUrl: string };
  /** Bluesky: app passwords that can create sessions. */
  appPasswords?: string[];
  /** TikTok: the account is private (unaudited apps may post only to private accounts). */
  privateAccount?: boolean;
  /** Bluesky: the PDS the account lives on, as its DID document names it (default https://bsky.social). */
  pdsUrl?: string;
  /** Bluesky: the handle proves its DID by HTTPS (`/.well-known/atproto-did`, default) or by DNS only. */
  handleMethod?: 'https' | 'dns';
}

export interface CreateIdentityInput {
  platform: PlatformId;
  handle: string;
  displayName?: string;
  id?: string;
  subscriptionType?: SubscriptionType;
  /** TikTok: a private account (default public). */
  privateAccount?: boolean;
}

export interface CreateBlueskyAccountInput {
  handle: string;
  /** Default: a generated xxxx-xxxx-xxxx-xxxx app password. */
  appPassword?: string;
  displayName?: string;
  /**
   * The account's PDS (default https://bsky.social). The sandbox serves https://bsky.social (the
   * entryway), https://morel.us-east.host.bsky.network and https://pds.example.net; any other value
   * only appears in the DID document (for testing what a client refuses to call).
   */
  pdsUrl?: string;
  /** `dns`: the handle has no /.well-known/atproto-did (only com.atproto.identity.resolveHandle finds it). */
  handleMethod?: 'https' | 'dns';
  /** `web`: a did:web identity (did:web:<handle>) served at https://<handle>/.well-known/did.json; default did:plc. */
  didMethod?: 'plc' | 'web';
}

export type FaultInput =
  | { fault: 'revoke' }
  | { fault: 'expire' }
  | { fault: 'fail'; count: number; status?: number }
  | { fault: 'rateLimit'; seconds?: number; until?: string | number }
  | { fault: 'slow'; delayMs: number }
  | { fault: 'changePassword' }
  | { fault: 'removeApp'; reason?: number }
  | { fault: 'clear' };

export type FaultRequest = FaultInput & { platform: PlatformId; externalId: string };

export interface CallbackDelivery {
  platform: PlatformId;
  url: string;
  at: string;
  /** HTTP status the receiver answered, or undefined when the request failed. */
  status?: number;
  error?: string;
  contentType: string;
  body: string;
  headers: Record<string, string>;
}

export interface FaultResult {
  ok: true;
  /** Tokens the fault revoked or expired. */
  affectedTokens: number;
  callback?: CallbackDelivery;
}

export interface Counters {
  refreshes: number;
  refreshTokenReuse: number;
  tokensIssued: number;
  publishAttempts: number;
  /** A repeated Idempotency-Key answered with the original post (no second post). */
  publishReplays: number;
  /** The same text again within the duplicate window, refused as the platform would. */
  publishDuplicates: number;
  /** Per endpoint, keyed `"<METHOD> <host><route>"`, e.g. `"POST api.x.com/2/tweets"`. */
  calls: Record<string, number>;
}

export interface PostView {
  platform: PlatformId;
  id: string;
  /** The posting identity: user id, Page id, IG user id, organization id, DID, open_id... */
  authorId: string;
  text: string;
  imageUrls: string[];
  videoUrl?: string;
  boardId?: string;
  idempotencyKey?: string;
  createdAt: string;
  /** Public URL served by the sandbox. */
  url: string;
  /** Platform settings the post was published with (TikTok: privacy_level, auto_add_music). */
  options?: Record<string, unknown>;
}

export interface TokenView {
  /** Short fingerprint of the token string (never the string itself). */
  fingerprint: string;
  platform: PlatformId;
  kind: 'access' | 'refresh';
  userId: string;
  targetId?: string;
  grantId: string;
  scopes: string[];
  issuedAt: string;
  expiresAt?: string;
  used: boolean;
  revoked?: string;
  live: boolean;
}
