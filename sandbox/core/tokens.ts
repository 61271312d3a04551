// Grants and the tokens issued under them: issue, look up, rotate, revoke, expire.

import { createHash, randomBytes } from 'node:crypto';
import type { PlatformId } from '../../platforms/types.js';
import type { Clock } from './clock.js';
import type { Grant, RevokeReason, TokenRecord } from './model.js';

export type TokenStatus = 'ok' | 'expired' | 'used' | RevokeReason;

export function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 12);
}

export function randomId(bytes = 9): string {
  return randomBytes(bytes).toString('hex');
}

export interface IssueOptions {
  /** Seconds; undefined = never expires. */
  lifetimeSec?: number;
  targetId?: string;
  longLived?: boolean;
  /** Builds the token string; default a platform-looking random string. */
  value?: () => string;
}

const PREFIX: Record<PlatformId, { access: string; refresh: string }> = {
  x: { access: '', refresh: '' },
  linkedin: { access: 'AQV', refresh: 'AQX' },
  facebook: { access: 'EAAS', refresh: '' },
  instagram: { access: 'EAAI', refresh: '' },
  threads: { access: 'THAA', refresh: '' },
  tiktok: { access: 'act.', refresh: 'rft.' },
  youtube: { access: 'ya29.', refresh: '1//0' },
  pinterest: { access: 'pina_', refresh: 'pinr_' },
  bluesky: { access: '', refresh: '' },
};

export class TokenStore {
  readonly grants = new Map<string, Grant>();
  readonly tokens = new Map<string, TokenRecord>();

  constructor(private readonly clock: Clock) {}

  createGrant(input: Omit<Grant, 'id' | 'createdAt'>): Grant {
    const grant: Grant = { ...input, id: randomId(), createdAt: this.clock.now() };
    this.grants.set(grant.id, grant);
    return grant;
  }

  issue(grant: Grant, kind: 'access' | 'refresh', options: IssueOptions = {}): TokenRecord {
    const value = options.value?.() ?? `${PREFIX[grant.platform][kind]}${randomBytes(36).toString('base64url')}`;
    const now = this.clock.now();
    const record: TokenRecord = {
      value,
      fingerprint: fingerprint(value),
      platform: grant.platform,
      kind,
      grantId: grant.id,
      userId: grant.userId,
      targetId: options.targetId,
      scopes: grant.scopes,
      issuedAt: now,
      expiresAt: options.lifetimeSec === undefined ? undefined : now + options.lifetimeSec * 1000,
      longLived: options.longLived,
    };
    this.tokens.set(value, record);
    return record;
  }

  find(value: string | undefined): TokenRecord | undefined {
    return value ? this.tokens.get(value) : undefined;
  }

  grant(token: TokenRecord): Grant {
    const grant = this.grants.get(token.grantId);
    if (!grant) throw new Error('token without grant');
    return grant;
  }

  status(token: TokenRecord): TokenStatus {
    const grant = this.grant(token);
    if (token.revoked) return token.revoked;
    if (grant.revoked) return grant.revoked;
    if (token.usedAt !== undefined) return 'used';
    if (token.expiresAt !== undefined && token.expiresAt <= this.clock.now()) return 'expired';
    return 'ok';
  }

  /** Seconds until expiry (at least 0), or undefined for non-expiring tokens. */
  remainingSec(token: TokenRecord): number | undefined {
    if (token.expiresAt === undefined) return undefined;
    return Math.max(0, Math.round((token.expiresAt - this.clock.now()) / 1000));
  }

  markUsed(token: TokenRecord): void {
    token.usedAt = this.clock.now();
  }

  revokeGrant(grant: Grant, reason: RevokeReason): number {
    if (!grant.revoked) grant.revoked = reason;
    return this.ofGrant(grant.id).length;
  }

  revokeToken(token: TokenRecord, reason: RevokeReason): void {
    token.revoked ??= reason;
  }

  ofGrant(grantId: string): TokenRecord[] {
    return [...this.tokens.values()].filter((t) => t.grantId === grantId);
  }

  /** Forces every live access token of the grant to be expired now. */
  expireAccessTokens(grant: Grant): number {
    let count = 0;
    const now = this.clock.now();
    for (const token of this.ofGrant(grant.id)) {
      if (token.kind === 'access' && this.status(token) === 'ok') {
        token.expiresAt = now - 1000;
        count += 1;
      }
    }
    return count;
  }

  clear(): void {
    this.grants.clear();
    this.tokens.clear();
  }
}
