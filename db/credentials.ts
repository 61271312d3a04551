import type { TokenKeyring } from '../config/token-keys.js';
import type { Credentials, IssuedTokens } from '../platforms/types.js';
import { seal, unseal } from './crypto.js';
import type { Credential } from './models/credential.js';
import type { Models } from './models/index.js';
import { isDuplicateKey } from './duplicate-key.js';

// The credential store: the only code that encrypts or decrypts tokens.
//
// Every write of the tokens creates the next `version` by inserting a new document; the unique
// (accountId, version) index lets exactly one writer create a given version, then older versions
// are removed. This is a compare-and-set that holds on MongoDB and on FerretDB alike (FerretDB's
// conditional updates are not atomic under concurrency; unique-index inserts are).

export interface StoredCredentials {
  credentials: Credentials;
  version: number;
}

export type RenewalWrite = { kind: 'replaced'; version: number } | { kind: 'conflict' };

/** A stored document as key rotation sees it: which account, and the sealed value to re-seal. */
export type SealedCredential = Pick<Credential, '_id' | 'accountId' | 'sealed'>;

interface SealedTokens {
  accessToken: string;
  refreshToken?: string;
}

interface TokenFields {
  sealedTokens: SealedTokens;
  accessTokenExpiresAt?: Date;
  refreshTokenExpiresAt?: Date;
  dataAccessExpiresAt?: Date;
  scopes?: string[];
}

const CONNECT_WRITE_ATTEMPTS = 5;

const after = (now: Date, seconds: number | undefined): Date | undefined =>
  seconds === undefined ? undefined : new Date(now.getTime() + seconds * 1000);

export function createCredentialStore(models: Models, keys: TokenKeyring) {
  const { Credential: collection, CredentialHead: heads, CredentialLock: locks } = models;
  const associatedData = (accountId: string) => `credential:${accountId}`;
  const openTokens = (doc: Pick<Credential, 'accountId' | 'sealed'>): SealedTokens =>
    JSON.parse(unseal(keys, doc.sealed, associatedData(doc.accountId))) as SealedTokens;
  /** Documents another key sealed (or sealed before key ids existed). */
  const sealedWithOlderKey = { keyId: { $ne: keys.current.id } };

  const idOf = (accountId: string, version: number) => `${accountId}:${version}`;

  /**
   * The newest version, read by `_id`: start from the version the account's last writer recorded
   * (the head) and step forward while newer versions exist. Only when that finds nothing (no
   * credentials, or a head lost in a crash) does it fall back to a query on `accountId`, which
   * FerretDB answers with a scan.
   */
  async function latest(accountId: string): Promise<Credential | undefined> {
    const hint = (await heads.findById(accountId).lean())?.version;
    let found: Credential | undefined;
    for (let version = Math.max(1, hint ?? 1); ; version++) {
      const doc = await collection.findById(idOf(accountId, version)).lean();
      if (!doc) break;
      found = doc;
    }
    return found ?? (await collection.findOne({ accountId }).sort({ version: -1 }).lean()) ?? undefined;
  }

  /** Creates `version` unless another writer already did; on success removes the older versions. */
  async function insertVersion(accountId: string, version: number, fields: TokenFields, now: Date): Promise<boolean> {
    const { sealedTokens, ...times } = fields;
    const doc: Credential = {
      _id: idOf(accountId, version),
      accountId,
      version,
      sealed: seal(keys, JSON.stringify({ accessToken: sealedTokens.accessToken, refreshToken: sealedTokens.refreshToken }), associatedData(accountId)),
      keyId: keys.current.id,
      issuedAt: now,
      updatedAt: now,
    };
    for (const [name, value] of Object.entries(times)) if (value !== undefined) (doc as unknown as Record<string, unknown>)[name] = value;
    try {
      await collection.create(doc);
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
    await heads.updateOne({ _id: accountId }, { $max: { version } }, { upsert: true }).catch(() => undefined);
    await collection.deleteOne({ _id: idOf(accountId, version - 1) });
    return true;
  }

  function toStored(doc: Credential): StoredCredentials {
    const tokens = openTokens(doc);
    return {
      version: doc.version,
      credentials: {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        accessTokenExpiresAt: doc.accessTokenExpiresAt?.toISOString(),
        refreshTokenExpiresAt: doc.refreshTokenExpiresAt?.toISOString(),
        dataAccessExpiresAt: doc.dataAccessExpiresAt?.toISOString(),
        issuedAt: doc.issuedAt.toISOString(),
        scopes: doc.scopes && doc.scopes.length > 0 ? [...doc.scopes] : undefined,
      },
    };
  }

  return {
    /**
     * Connect or reconnect: stores exactly what the platform issued (a new grant replaces the old
     * one, refresh token included) as the next version, and returns that version.
     */
    async storeConnectedCredentials(accountId: string, issued: IssuedTokens, now: Date): Promise<number> {
      const fields: TokenFields = {
        sealedTokens: issued,
        accessTokenExpiresAt: after(now, issued.accessTokenLifetimeSec),
        refreshTokenExpiresAt: after(now, issued.refreshTokenLifetimeSec),
        dataAccessExpiresAt: after(now, issued.dataAccessLifetimeSec),
        scopes: issued.scopes,
      };
      for (let attempt = 1; attempt <= CONNECT_WRITE_ATTEMPTS; attempt++) {
        const version = ((await latest(accountId))?.version ?? 0) + 1;
        if (await insertVersion(accountId, version, fields, now)) return version;
      }
      throw new Error(`credentials for account ${accountId} kept changing while being stored`);
    },

    async loadCredentials(accountId: string): Promise<StoredCredentials | undefined> {
      const doc = await latest(accountId);
      return doc ? toStored(doc) : undefined;
    },

    /**
     * After a successful renewal: writes version `expectedVersion + 1` only if the stored version is
     * still `expectedVersion` and nobody else wrote it first. A renewal that returned no refresh
     * token keeps the stored one, with its expiry.
     */
    async replaceAfterRenewal(accountId: string, expectedVersion: number, issued: IssuedTokens, now: Date): Promise<RenewalWrite> {
      const current = await latest(accountId);
      if (!current || current.version !== expectedVersion) return { kind: 'conflict' };
      const held = openTokens(current);
      const refreshToken = issued.refreshToken ?? held.refreshToken;
      const fields: TokenFields = {
        sealedTokens: { accessToken: issued.accessToken, refreshToken },
        accessTokenExpiresAt: after(now, issued.accessTokenLifetimeSec),
        refreshTokenExpiresAt:
          issued.refreshTokenLifetimeSec !== undefined
            ? after(now, issued.refreshTokenLifetimeSec)
            : refreshToken === held.refreshToken
              ? current.refreshTokenExpiresAt
              : undefined,
        // A renewal does not move a data-access deadline unless the platform reported one.
        dataAccessExpiresAt: issued.dataAccessLifetimeSec !== undefined ? after(now, issued.dataAccessLifetimeSec) : current.dataAccessExpiresAt,
        scopes: issued.scopes ?? current.scopes,
      };
      return (await insertVersion(accountId, expectedVersion + 1, fields, now)) ? { kind: 'replaced', version: expectedVersion + 1 } : { kind: 'conflict' };
    },

    /** A validation reported the data-access deadline. Not a token write: the version stays. */
    async recordDataAccessExpiry(accountId: string, expiresAt: Date): Promise<void> {
      const current = await latest(accountId);
      if (current) await collection.updateOne({ _id: current._id }, { $set: { dataAccessExpiresAt: expiresAt } });
    },

    async deleteCredentials(accountId: string): Promise<void> {
      await collection.deleteMany({ accountId });
      await heads.deleteOne({ _id: accountId });
      await locks.deleteMany({ accountId });
    },

    /**
     * Takes the right to renew `version` for `leaseMs`. False while another live attempt holds it.
     * A lease past its end (its holder died) is taken over.
     */
    async claimRenewal(accountId: string, version: number, holder: string, now: Date, leaseMs: number): Promise<boolean> {
      const _id = idOf(accountId, version);
      const take = async () => {
        try {
          await locks.create({ _id, accountId, holder, until: new Date(now.getTime() + leaseMs) });
          return true;
        } catch (error) {
          if (isDuplicateKey(error)) return false;
          throw error;
        }
      };
      if (await take()) return true;
      const removed = await locks.deleteOne({ _id, until: { $lte: now } });
      return removed.deletedCount === 1 && (await take());
    },

    async releaseRenewal(accountId: string, version: number): Promise<void> {
      await locks.deleteOne({ _id: idOf(accountId, version) });
    },

    /** How many stored documents an older key sealed. */
    async countSealedWithOlderKeys(): Promise<number> {
      return collection.countDocuments(sealedWithOlderKey);
    },

    /** Up to `limit` documents an older key sealed, leaving out `skip` (ids that could not be re-sealed). */
    async findSealedWithOlderKeys(limit: number, skip: readonly string[] = []): Promise<SealedCredential[]> {
      const filter = skip.length > 0 ? { ...sealedWithOlderKey, _id: { $nin: [...skip] } } : sealedWithOlderKey;
      return collection.find(filter, { _id: 1, accountId: 1, sealed: 1 }).limit(limit).lean();
    },

    /**
     * Re-seals one document with the current key. The write only lands while the document still
     * holds what was read; a renewal that replaced it meanwhile sealed its own with the current key.
     * Two rotations at once both write the same tokens, so either result opens.
     */
    async resealWithCurrentKey(doc: SealedCredential): Promise<'resealed' | 'changed'> {
      const plaintext = unseal(keys, doc.sealed, associatedData(doc.accountId));
      const updated = await collection.updateOne(
        { _id: doc._id, sealed: doc.sealed },
        { $set: { sealed: seal(keys, plaintext, associatedData(doc.accountId)), keyId: keys.current.id } },
      );
      return updated.modifiedCount === 1 ? 'resealed' : 'changed';
    },
  };
}

export type CredentialStore = ReturnType<typeof createCredentialStore>;
