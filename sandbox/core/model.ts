// Records the sandbox keeps in memory.

import type { PlatformId } from '../../platforms/types.js';
import type { SandboxIdentityView } from '../api-types.js';

/** Why a token stopped working before its expiry. */
export type RevokeReason = 'revoked' | 'passwordChanged' | 'appRemoved' | 'loggedOut';

/** An identity as stored: the view plus secrets the view never shows. */
export interface SandboxIdentity extends Omit<SandboxIdentityView, 'avatarUrl'> {
  /** Path on the sandbox (absolute URL built per request). */
  avatarPath: string;
}

/** One consent: all tokens a code exchange and its refreshes produce share it. */
export interface Grant {
  id: string;
  platform: PlatformId;
  clientId: string;
  userId: string;
  scopes: string[];
  createdAt: number;
  /** Whether a refresh token comes with this grant. */
  offline: boolean;
  /** LinkedIn: the refresh token's fixed deadline from the first consent. */
  refreshExpiresAt?: number;
  /** Meta: data access expiry (90 days from consent). */
  dataAccessExpiresAt?: number;
  /** Meta: Pages the user granted (undefined = all). */
  targetIds?: string[];
  revoked?: RevokeReason;
}

export interface TokenRecord {
  value: string;
  fingerprint: string;
  platform: PlatformId;
  kind: 'access' | 'refresh';
  grantId: string;
  userId: string;
  /** Page tokens: the Page id. */
  targetId?: string;
  scopes: string[];
  issuedAt: number;
  expiresAt?: number;
  /** Refresh tokens: when this one was rotated away. */
  usedAt?: number;
  revoked?: RevokeReason;
  /** Meta and Threads: long-lived (exchanged) user token. */
  longLived?: boolean;
}

export interface CodeRecord {
  code: string;
  platform: PlatformId;
  clientId: string;
  redirectUri: string;
  userId: string;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
  used: boolean;
  offline: boolean;
  targetIds?: string[];
}

export interface PostRecord {
  platform: PlatformId;
  id: string;
  authorId: string;
  authorHandle: string;
  text: string;
  /** Images as the platform shows them (paths of the sandbox's copies, or URLs). */
  imageUrls: string[];
  /** Alt text of each image, where the platform keeps it. */
  imageAlts?: string[];
  videoUrl?: string;
  /** Shown instead of the video while the platform is still processing it. */
  processingNote?: string;
  boardId?: string;
  idempotencyKey?: string;
  createdAt: number;
  /** Path on the sandbox of the post's public page. */
  path: string;
  /** Platform settings the post was published with (TikTok: privacy_level, auto_add_music). */
  options?: Record<string, unknown>;
}
