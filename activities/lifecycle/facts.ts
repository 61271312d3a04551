import type { StoredCredentials } from '../../db/credentials.js';
import type { PlatformAdapter } from '../../platforms/types.js';
import type { Lifetimes } from '../../workflows/lifecycle/types.js';
import type { CredentialFacts } from './contract.js';

// Stored absolute expiries become remaining lifetimes at the moment the activity runs: the
// workflow turns them back into times on its own clock.

function remainingSec(iso: string | undefined, now: Date): number | undefined {
  if (iso === undefined) return undefined;
  return Math.max(0, Math.floor((Date.parse(iso) - now.getTime()) / 1000));
}

export function remainingLifetimes(stored: StoredCredentials, now: Date): Lifetimes {
  const { credentials } = stored;
  const lifetimes: Lifetimes = {};
  const accessSec = remainingSec(credentials.accessTokenExpiresAt, now);
  const refreshSec = remainingSec(credentials.refreshTokenExpiresAt, now);
  const dataAccessSec = remainingSec(credentials.dataAccessExpiresAt, now);
  if (accessSec !== undefined) lifetimes.accessSec = accessSec;
  if (refreshSec !== undefined) lifetimes.refreshSec = refreshSec;
  if (dataAccessSec !== undefined) lifetimes.dataAccessSec = dataAccessSec;
  return lifetimes;
}

export function credentialFacts(adapter: PlatformAdapter, stored: StoredCredentials, now: Date): CredentialFacts {
  return { version: stored.version, policy: adapter.tokenPolicy(stored.credentials), lifetimes: remainingLifetimes(stored, now) };
}
