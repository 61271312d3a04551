// The one interface every platform adapter implements, and the closed outcome union every
// platform response is classified into. Workflows and activities only ever see these types.

import type { MediaInfo, MediaRules } from './media-rules.js';

export type { MediaInfo } from './media-rules.js';

export const PLATFORM_IDS = [
  'linkedin',
  'facebook',
  'instagram',
  'bluesky',
  'youtube',
  'pinterest',
  'tiktok',
  'x',
  'threads',
] as const;
export type PlatformId = (typeof PLATFORM_IDS)[number];

/** How each platform is named to people. */
export const PLATFORM_NAMES: Record<PlatformId, string> = {
  linkedin: 'LinkedIn',
  facebook: 'Facebook',
  instagram: 'Instagram',
  bluesky: 'Bluesky',
  youtube: 'YouTube',
  pinterest: 'Pinterest',
  tiktok: 'TikTok',
  x: 'X',
  threads: 'Threads',
};

/**
 * What a platform call came to. `transient` and `rateLimited` never mean "reconnect";
 * only `reauthRequired` does. `invalid` is a permanent rejection of this request (bad content,
 * malformed response, configuration error) that retrying will not fix.
 */
export type Outcome<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'transient'; message: string }
  | { kind: 'rateLimited'; resetAt: string; message: string }
  | { kind: 'reauthRequired'; code: string; message: string }
  | { kind: 'invalid'; message: string };

export type Failure = Exclude<Outcome<never>, { kind: 'ok' }>;

/**
 * A token set as a platform issued it. Lifetimes are in seconds as the platform reported them
 * (`expires_in`, `refresh_token_expires_in`, ...); absent means the platform gave none.
 * The holder turns them into absolute times on its own clock.
 */
export interface IssuedTokens {
  accessToken: string;
  refreshToken?: string;
  accessTokenLifetimeSec?: number;
  refreshTokenLifetimeSec?: number;
  /** Facebook `data_access_expires_at` style deadline, seconds from now. */
  dataAccessLifetimeSec?: number;
  scopes?: string[];
}

/** Stored credentials as adapters receive them (decrypted, with absolute times). */
export interface Credentials {
  accessToken: string;
  refreshToken?: string;
  /** ISO time; undefined when the token does not expire. */
  accessTokenExpiresAt?: string;
  refreshTokenExpiresAt?: string;
  dataAccessExpiresAt?: string;
  /** ISO time the current access token was issued (exchange-style renewal needs >= 24 h age). */
  issuedAt: string;
  scopes?: string[];
}

/** Who a connected account is on the platform, and platform-specific routing facts. */
export interface AccountRef {
  platform: PlatformId;
  /** The id the platform uses for the posting identity (user id, Page id, IG user id, DID, channel id...). */
  externalId: string;
  handle: string;
  /** Extra facts the adapter needs to call the API (e.g. Bluesky PDS URL, LinkedIn author URN kind). */
  meta?: Record<string, string>;
}

export interface Identity {
  externalId: string;
  handle: string;
  displayName: string;
  avatarUrl?: string;
  meta?: Record<string, string>;
}

/**
 * A choosable posting target behind a login: a Facebook Page (with its own Page token), an
 * Instagram account linked to a Page, a LinkedIn organization, a YouTube channel.
 * Pinterest boards are not accounts; they are listed with `listBoards`.
 */
export interface Target extends Identity {
  kind: 'profile' | 'page' | 'instagram' | 'organization' | 'channel';
  /** Present when the target is reached with its own token (Facebook/Instagram Page tokens). */
  tokens?: IssuedTokens;
}

export interface Board {
  id: string;
  name: string;
}

/**
 * How this platform's tokens stay alive:
 * - rotatingRefresh: refresh token works once and a new one comes back (X, TikTok, Pinterest, Bluesky)
 * - refresh: plain refresh token (YouTube; LinkedIn with partner refresh tokens)
 * - exchange: the access token is exchanged for a new one before expiry (Threads, Instagram Login),
 *   only once it is at least `minTokenAgeSec` old
 * - validate: tokens do not expire but can be invalidated; check them periodically (Facebook/Instagram Page tokens)
 * - none: nothing can renew; warn before expiry (LinkedIn without partner access)
 */
export type RenewalKind = 'rotatingRefresh' | 'refresh' | 'exchange' | 'validate' | 'none';

/** The lifecycle rules of a platform's tokens (platforms/README.md, "Lifecycle rules", gives each platform's with sources). */
export interface TokenPolicy {
  renewal: RenewalKind;
  minTokenAgeSec?: number;
  /** Legacy (schema 1 lifecycles only): how often to validate a non-expiring token. */
  validateEverySec?: number;
  /**
   * A refresh token that reports no expiry but dies after this long unused (Google: six months);
   * each renewal uses it, so its end slides with every renewal.
   */
  refreshIdleSec?: number;
  /** 'fixed': a renewal never moves the refresh token's end (LinkedIn: 365 days from consent). Default 'sliding'. */
  refreshEnd?: 'sliding' | 'fixed';
  /**
   * 'inspect': the platform can check a live access token without renewing anything (Meta
   * `debug_token`, LinkedIn introspection, Google `tokeninfo`, a cheap read): a health check uses
   * `validate` while the access token lives. Absent: a health check renews (X, TikTok, Bluesky).
   */
  check?: 'inspect';
}

/** What the person chose where a platform requires them to choose for each post (TikTok). */
export interface PostChoices {
  /** One of the privacy levels the platform offered for this account (`postChoices`). */
  privacyLevel?: string;
  /** The person agreed to the platform's music terms (TikTok's Music Usage Confirmation). */
  musicConsent?: boolean;
  /** Let the platform add recommended music (TikTok photo posts). */
  autoAddMusic?: boolean;
}

/** What a platform makes the person choose before posting to an account, and why. */
export interface ChoiceOptions {
  /** Why the platform asks, shown beside the fields. */
  reason: string;
  /** The account as the platform names it to its owner (TikTok's creator nickname). */
  creatorName?: string;
  /** Who may see the post; no default: the person must pick one. */
  privacyLevels: { value: string; label: string }[];
  /** Terms the person must agree to before posting. */
  consent?: { label: string; url: string };
  /** Label of the "let the platform add music" option, when it offers one. */
  musicOption?: string;
  /** Limits that apply to this installation or account. */
  notes: string[];
}

/** A stored media file as an adapter publishes it. */
export interface MediaFile extends MediaInfo {
  /** Tether's id of the file (the key of its upload record). */
  id: string;
  /** A public, signed, expiring URL platforms that fetch media read it from. */
  url: string;
  /** The bytes from `start` up to (not including) `end`. */
  read(start: number, end: number): Promise<Buffer>;
}

/**
 * What an earlier attempt of the same publish uploaded, per media file: a retried publish reuses the
 * platform's media id instead of uploading again.
 */
export interface UploadLedger {
  /** The reference recorded for `mediaId` under `step`, unless the platform has forgotten it by now. */
  recall(mediaId: string, step: string): Promise<string | undefined>;
  record(mediaId: string, step: string, ref: string, expiresAt?: Date): Promise<void>;
}

/** A post as composed, before it is published: what `validatePost` checks. */
export interface PostDraft {
  text: string;
  /** Images and at most one video, in the order the person gave them. */
  media?: MediaInfo[];
  /** Pinterest board. */
  boardId?: string;
  /** What the person chose where the platform requires it (`postChoices`). */
  choices?: PostChoices;
}

export interface PostInput extends PostDraft {
  media?: MediaFile[];
  /** Upload records of this publish (kept across retries); absent: nothing is remembered. */
  uploads?: UploadLedger;
  /** Reports progress during long uploads and processing waits (the publish activity heartbeats). */
  onProgress?: (what: string) => void;
  /** Stable per (post, account); the platform (or the sandbox) rejects a second publish with the same key. */
  idempotencyKey: string;
}

export interface PublishedPost {
  externalId: string;
  url: string;
}

export interface PostRules {
  maxLength: number;
  /**
   * How length is counted: X weighted characters, Bluesky graphemes, Threads characters with each
   * emoji as its UTF-8 bytes, others Unicode code points.
   */
  lengthUnit: 'weighted' | 'graphemes' | 'characters' | 'emojiBytes';
  /** Images and video the platform takes, and whether a post needs them. */
  media: MediaRules;
  requiresBoard: boolean;
  /** Text shown when the platform cannot publish what Tether offers (e.g. video-only platforms). */
  limitation?: string;
}

export interface PremiumStatus {
  subscriptionType: 'None' | 'Basic' | 'Premium' | 'PremiumPlus';
  verifiedType?: string;
}

export interface AuthorizeRequest {
  state: string;
  redirectUri: string;
  /** S256 challenge; adapters that do not use PKCE ignore it. */
  codeChallenge: string;
}

export interface CodeExchange {
  code: string;
  redirectUri: string;
  codeVerifier: string;
}

export interface AppPasswordLogin {
  identifier: string;
  appPassword: string;
}

export interface PlatformAdapter {
  readonly id: PlatformId;
  readonly displayName: string;
  readonly connect: 'oauth' | 'appPassword';
  readonly usesPkce: boolean;
  /** Whether a connect ends with a choice of targets (Pages, organizations, channels). */
  readonly hasTargetChoice: boolean;

  tokenPolicy(credentials: Pick<Credentials, 'refreshToken' | 'accessTokenExpiresAt'>): TokenPolicy;
  postRules(account: { premium?: PremiumStatus }): PostRules;
  /** Field-level problems with a post for this platform; empty when it can be sent. */
  validatePost(post: PostDraft, account: { premium?: PremiumStatus }): string[];

  authorizationUrl(request: AuthorizeRequest): string;
  exchangeCode(exchange: CodeExchange): Promise<Outcome<IssuedTokens>>;
  /** Bluesky only: create a session from an app password, which is never stored. */
  createSession?(login: AppPasswordLogin): Promise<Outcome<{ tokens: IssuedTokens; identity: Identity }>>;
  identity(tokens: IssuedTokens): Promise<Outcome<Identity>>;
  listTargets?(tokens: IssuedTokens, identity: Identity): Promise<Outcome<Target[]>>;
  listBoards?(account: AccountRef, credentials: Credentials): Promise<Outcome<Board[]>>;
  /** Platforms that make the person choose per post (TikTok): the choices for this account, read fresh. */
  postChoices?(account: AccountRef, credentials: Credentials): Promise<Outcome<ChoiceOptions>>;

  refresh(account: AccountRef, credentials: Credentials): Promise<Outcome<IssuedTokens>>;
  validate(account: AccountRef, credentials: Credentials): Promise<Outcome<{ dataAccessLifetimeSec?: number }>>;
  revoke(account: AccountRef, credentials: Credentials): Promise<Outcome<{ revokedAtPlatform: boolean }>>;
  publish(account: AccountRef, credentials: Credentials, post: PostInput): Promise<Outcome<PublishedPost>>;
  premiumStatus?(account: AccountRef, credentials: Credentials): Promise<Outcome<PremiumStatus>>;
}
