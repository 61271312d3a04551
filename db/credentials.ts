import type { TokenKeyring } from '../config/token-keys.js';
import type { Credentials, IssuedTokens } from '../platforms/types.js';
import { endClaim, takeClaim } from './claims.js';
import { seal, unseal } from './crypto.js';
import type { Credential } from './models/credential.js';
import type { CredentialHead } from './models/credential-head.js';
import type { Models } from './models/index.js';
import { isDuplicateKey } from './duplicate-key.js';
import { withDatabaseRetry } from './retry.js';

// The credential store: the only code that encrypts or decrypts tokens.
//
// Every write of the tokens creates the next `version` by inserting a new document
// (`<accountId>:<version>`); the unique `_id` lets exactly one writer create a given version. This
// is a compare-and-set that holds on MongoDB and on FerretDB alike (FerretDB's conditional updates
// are not atomic under concurrency; unique inserts are). The writer then copies the document to
// the account's head (`_id` = account id), which every use of the tokens reads in one point read,
// and removes the version before it.

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

const renewalKey = (accountId: string, version: number) => `renew:${accountId}:${version}`;

export function createCredentialStore(models: Models, keys: TokenKeyring) {
  const { Credential: collection, CredentialHead: heads } = models;
  const associatedData = (accountId: string) => `credential:${accountId}`;
  const openTokens = (doc: Pick<Credential, 'accountId' | 'sealed'>): SealedTokens =>
    JSON.parse(unseal(keys, doc.sealed, associatedData(doc.accountId))) as SealedTokens;
  /** Documents another key sealed (or sealed before key ids existed). */
  const sealedWithOlderKey = { keyId: { $ne: keys.current.id } };

  const idOf = (accountId: string, version: number) => `${accountId}:${version}`;

  const complete = (head: CredentialHead | null | undefined): Credential | undefined =>
    head?.sealed && head.accountId && head.issuedAt ? ({ ...head, _id: idOf(head.accountId, head.version) } as Credential) : undefined;

  /** Copies a version document to the account's head. */
  async function writeHead(doc: Credential): Promise<void> {
    const { _id, ...fields } = doc;
    const unset = Object.fromEntries(
      (['accessTokenExpiresAt', 'refreshTokenExpiresAt', 'dataAccessExpiresAt', 'scopes'] as const).filter((name) => fields[name] === undefined).map((name) => [name, '']),
    );
    await heads.updateOne({ _id: doc.accountId }, { $set: fields, ...(Object.keys(unset).length ? { $unset: unset } : {}) }, { upsert: true });
  }

  /** Steps forward from `from` while newer versions exist; the newest found, if any. */
  async function newestFrom(accountId: string, from: number, known?: Credential): Promise<Credential | undefined> {
    let found = known;
    for (let version = Math.max(1, from); ; version++) {
      const doc = await collection.findById(idOf(accountId, version)).lean();
      if (!doc) return found;
      found = doc;
    }
  }

  /**
   * The newest version as far as its head knows: one point read. A head from before heads carried
   * the tokens (or none at all) is found the old way and completed, once.
   */
  async function current(accountId: string): Promise<Credential | undefined> {
    const head = await heads.findById(accountId).lean();
    const copy = complete(head);
    if (copy) return copy;
    const found =
      (await newestFrom(accountId, head?.version ?? 1)) ??
      // No head and no version 1: a document stored before heads existed (FerretDB scans for this).
      ((await collection.findOne({ accountId }).sort({ version: -1 }).lean()) ?? undefined);
    if (found) await writeHead(found);
    return found;
  }

  /** The newest version for certain: the head, then a check that no newer version was stored since. */
  async function latest(accountId: string): Promise<Credential | undefined> {
    const known = await current(accountId);
    if (!known) return undefined;
    const newest = await newestFrom(accountId, known.version + 1, known);
    if (newest && newest.version !== known.version) await writeHead(newest);
    return newest;
  }

  /** Creates `version` unless another writer already did; then copies it to the head and removes the version before. */
  async function insertVersion(accountId: string, version: number, fields: TokenFields, now: Date): Promise<Credential | undefined> {
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
      await withDatabaseRetry(() => collection.create(doc));
    } catch (error) {
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
    // Together: a reader that meets the old version gone while the head still holds it reads the
    // head's complete copy, and `latest` steps past the head to the new version either way.
    // Versions start at 1: the first has none before it to remove.
    await Promise.all([
      withDatabaseRetry(() => writeHead(doc)),
      ...(version > 1 ? [withDatabaseRetry(() => collection.deleteOne({ _id: idOf(accountId, version - 1) }))] : []),
    ]);
    return doc;
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

  /** Version `held.version + 1` from a renewal's answer, unless another writer stored it first. */
  async function storeRenewal(accountId: string, held: StoredCredentials, issued: IssuedTokens, now: Date): Promise<StoredCredentials | undefined> {
    const { credentials } = held;
    const refreshToken = issued.refreshToken ?? credentials.refreshToken;
    const date = (iso: string | undefined) => (iso === undefined ? undefined : new Date(iso));
    const fields: TokenFields = {
      sealedTokens: { accessToken: issued.accessToken, refreshToken },
      accessTokenExpiresAt: after(now, issued.accessTokenLifetimeSec),
      refreshTokenExpiresAt:
        issued.refreshTokenLifetimeSec !== undefined
          ? after(now, issued.refreshTokenLifetimeSec)
          : refreshToken === credentials.refreshToken
            ? date(credentials.refreshTokenExpiresAt)
            : undefined,
      // A renewal does not move a data-access deadline unless the platform reported one.
      dataAccessExpiresAt: issued.dataAccessLifetimeSec !== undefined ? after(now, issued.dataAccessLifetimeSec) : date(credentials.dataAccessExpiresAt),
      scopes: issued.scopes ?? credentials.scopes,
    };
    const written = await insertVersion(accountId, held.version + 1, fields, now);
    return written ? toStored(written) : undefined;
  }

  return {
    /**
     * Connect or reconnect: stores exactly what the platform issued (a new grant replaces the old
     * one, refresh token included) as the next version, and returns that version. `newAccount`
     * says the account was created by this connect (a hint: a wrong one costs a retry, not data).
     */
    async storeConnectedCredentials(accountId: string, issued: IssuedTokens, now: Date, options: { newAccount?: boolean } = {}): Promise<number> {
      const fields: TokenFields = {
        sealedTokens: issued,
        accessTokenExpiresAt: after(now, issued.accessTokenLifetimeSec),
        refreshTokenExpiresAt: after(now, issued.refreshTokenLifetimeSec),
        dataAccessExpiresAt: after(now, issued.dataAccessLifetimeSec),
        scopes: issued.scopes,
      };
      // A new account has no credentials yet: its first version is written without a read.
      let version = options.newAccount ? 1 : ((await withDatabaseRetry(() => current(accountId)))?.version ?? 0) + 1;
      for (let attempt = 1; attempt <= CONNECT_WRITE_ATTEMPTS; attempt++) {
        if (await insertVersion(accountId, version, fields, now)) return version;
        // Another writer took this version: ours goes after the newest.
        version = ((await withDatabaseRetry(() => newestFrom(accountId, version)))?.version ?? version) + 1;
      }
      throw new Error(`credentials for account ${accountId} kept changing while being stored`);
    },

    /** The tokens to use now: one point read. */
    async loadCredentials(accountId: string): Promise<StoredCredentials | undefined> {
      const doc = await withDatabaseRetry(() => current(accountId));
      return doc ? toStored(doc) : undefined;
    },

    /** The newest tokens for certain (a renewal must never spend an old refresh token): two point reads. */
    async loadLatestCredentials(accountId: string): Promise<StoredCredentials | undefined> {
      const doc = await withDatabaseRetry(() => latest(accountId));
      return doc ? toStored(doc) : undefined;
    },

    storeRenewal,

    /** A version newer than `version`, if one was stored (its head may not show it yet): one point read when there is none. */
    async findNewer(accountId: string, version: number): Promise<StoredCredentials | undefined> {
      const doc = await withDatabaseRetry(() => newestFrom(accountId, version + 1));
      if (!doc) return undefined;
      await withDatabaseRetry(() => writeHead(doc));
      return toStored(doc);
    },

    /**
     * After a successful renewal: writes version `expectedVersion + 1` only if the stored version is
     * still `expectedVersion` and nobody else wrote it first. A renewal that returned no refresh
     * token keeps the stored one, with its expiry.
     */
    async replaceAfterRenewal(accountId: string, expectedVersion: number, issued: IssuedTokens, now: Date): Promise<RenewalWrite> {
      const doc = await withDatabaseRetry(() => latest(accountId));
      if (!doc || doc.version !== expectedVersion) return { kind: 'conflict' };
      const written = await storeRenewal(accountId, toStored(doc), issued, now);
      return written ? { kind: 'replaced', version: written.version } : { kind: 'conflict' };
    },

    /** A validation reported the data-access deadline. Not a token write: the version stays. */
    async recordDataAccessExpiry(accountId: string, expiresAt: Date): Promise<void> {
      const doc = await withDatabaseRetry(() => current(accountId));
      if (!doc) return;
      await withDatabaseRetry(() => collection.updateOne({ _id: doc._id }, { $set: { dataAccessExpiresAt: expiresAt } }));
      await withDatabaseRetry(() => heads.updateOne({ _id: accountId }, { $set: { dataAccessExpiresAt: expiresAt } }));
    },

    async deleteCredentials(accountId: string): Promise<void> {
      await withDatabaseRetry(() => collection.deleteMany({ accountId }));
      await withDatabaseRetry(() => heads.deleteOne({ _id: accountId }));
    },

    /**
     * Takes the right to renew `version` for `leaseMs` (a claim, db/claims.ts): the generation held,
     * or undefined while another live attempt holds it. One that died is taken over when its lease ends.
     */
    async claimRenewal(accountId: string, version: number, holder: string, now: Date, leaseMs: number): Promise<number | undefined> {
      const answer = await withDatabaseRetry(() => takeClaim(models, { key: renewalKey(accountId, version), holder, now, leaseMs }));
      return answer.won ? answer.generation : undefined;
    },

    /** Lets the next attempt renew `version` at once (this one failed and stored nothing). */
    async releaseRenewal(accountId: string, version: number, generation: number, now: Date): Promise<void> {
      await withDatabaseRetry(() => endClaim(models, { key: renewalKey(accountId, version), generation, now }));
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
     * Re-seals one document with the current key, every read and write by `_id` (a conditional
     * update would read the whole collection on FerretDB, for every document rotated). A version
     * never changes once stored, so its write needs no condition; one a renewal removed meanwhile
     * matches nothing. Two rotations at once both write the same tokens, so either result opens.
     */
    async resealWithCurrentKey(doc: SealedCredential): Promise<'resealed' | 'changed'> {
      const plaintext = unseal(keys, doc.sealed, associatedData(doc.accountId));
      const resealed = { sealed: seal(keys, plaintext, associatedData(doc.accountId)), keyId: keys.current.id };
      const updated = await withDatabaseRetry(() => collection.updateOne({ _id: doc._id }, { $set: resealed }));
      // The head carries a whole copy of the newest version, which every use reads: re-sealed too
      // while it still copies this one. A renewal that moves the head on between the read and the
      // write is undone by the write, so the head is then stepped forward again, as `latest` does.
      const head = complete(await withDatabaseRetry(() => heads.findById(doc.accountId).lean()));
      if (head?._id === doc._id && head.sealed === doc.sealed) {
        await withDatabaseRetry(() => writeHead({ ...head, ...resealed }));
        const newer = await withDatabaseRetry(() => newestFrom(doc.accountId, head.version + 1));
        if (newer) await withDatabaseRetry(() => writeHead(newer));
      }
      return updated.modifiedCount === 1 ? 'resealed' : 'changed';
    },
  };
}

export type CredentialStore = ReturnType<typeof createCredentialStore>;
