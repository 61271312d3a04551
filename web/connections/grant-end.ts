import type { Account } from '../../db/models/account.js';

/**
 * When Tether's access ends if nothing succeeds: the grant's end for projections that describe it
 * (renew by need: they carry `lastCheckedAt`, and the access token may sit expired between uses),
 * the access token's expiry for projections written before.
 */
export function grantEndOf(status: NonNullable<Account['status']>): Date | undefined {
  return status.lastCheckedAt ? status.grantExpiresAt : status.tokenExpiresAt;
}
