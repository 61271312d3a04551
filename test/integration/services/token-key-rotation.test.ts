import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenKeyId, tokenKeyring } from '../../../config/token-keys.js';
import { createCredentialStore } from '../../../db/credentials.js';
import { ensureIndexes } from '../../../db/models/index.js';
import { rotateTokenKey, type RotationProgress } from '../../../services/token-key-rotation.js';
import { runAdmin } from '../../../tools/admin.js';
import { openDatabase, testConfig, type TestDatabase } from '../../helpers/integration.js';
import { openMonitoredDatabase } from '../../helpers/monitored-database.js';

// Token keys rotate: credentials carry the id of the key that sealed them, every configured key
// opens its own, the newest seals, renewals re-seal, and `npm run admin -- rotate-key` re-seals
// the rest, showing progress.

const issued = (n: number) => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, accessTokenLifetimeSec: 7200 });

describe('token key rotation', () => {
  const config = testConfig();
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const before = tokenKeyring(oldKey);
  const rotated = tokenKeyring(newKey, [oldKey]);
  const afterwards = tokenKeyring(newKey);
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openDatabase(config);
    await ensureIndexes(db.models);
  });
  afterAll(async () => {
    await db?.close();
  });

  const keyIdOf = async (accountId: string) => {
    const docs = await db.models.Credential.find({ accountId }).lean();
    expect(docs).toHaveLength(1);
    return docs[0]!.keyId;
  };

  it('renewals re-seal with the newest key; the rotation re-seals the rest, after which the old key can go', async () => {
    const oldStore = createCredentialStore(db.models, before);
    const accounts = Array.from({ length: 7 }, () => randomUUID());
    const now = new Date();
    for (const [n, accountId] of accounts.entries()) await oldStore.storeConnectedCredentials(accountId, issued(n), now);
    for (const accountId of accounts) expect(await keyIdOf(accountId)).toBe(tokenKeyId(oldKey));

    // The operator adds a new key and keeps the old one: both open, the new one seals.
    const store = createCredentialStore(db.models, rotated);
    const [renewedAccount] = accounts;
    const loaded = await store.loadCredentials(renewedAccount!);
    expect(loaded?.credentials.accessToken).toBe('access-0');
    const renewal = await store.replaceAfterRenewal(renewedAccount!, loaded!.version, { accessToken: 'renewed', accessTokenLifetimeSec: 7200 }, new Date());
    expect(renewal.kind).toBe('replaced');
    expect(await keyIdOf(renewedAccount!)).toBe(tokenKeyId(newKey));
    expect(await store.countSealedWithOlderKeys()).toBe(6);

    const seen: RotationProgress[] = [];
    const result = await rotateTokenKey({ models: db.models, keys: rotated, batchSize: 4, onProgress: (p) => seen.push(p) });
    expect(result).toEqual({ total: 6, resealed: 6, changed: 0, unreadable: 0, remaining: 0 });
    expect(seen.map((p) => p.resealed)).toEqual([0, 4, 6]);
    for (const accountId of accounts) expect(await keyIdOf(accountId)).toBe(tokenKeyId(newKey));

    // With only the new key configured, every account's tokens still open, versions unchanged.
    const newOnly = createCredentialStore(db.models, afterwards);
    for (const [n, accountId] of accounts.entries()) {
      const stored = await newOnly.loadCredentials(accountId);
      expect(stored?.credentials.accessToken).toBe(n === 0 ? 'renewed' : `access-${n}`);
      expect(stored?.version).toBe(n === 0 ? 2 : 1);
    }
    expect((await db.models.Credential.find({ accountId: { $in: accounts } }).lean()).every((doc) => !doc.sealed.includes('access-'))).toBe(true);
  });

  it('re-seals values stored before key ids existed, and reports what no configured key opens', async () => {
    const legacyAccount = randomUUID();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', oldKey, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from(`credential:${legacyAccount}`));
    const data = Buffer.concat([cipher.update(JSON.stringify({ accessToken: 'legacy-access' })), cipher.final()]);
    const sealed = ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    const now = new Date();
    await db.models.Credential.create({ _id: `${legacyAccount}:1`, accountId: legacyAccount, version: 1, sealed, issuedAt: now, updatedAt: now });
    const lostAccount = randomUUID();
    await createCredentialStore(db.models, tokenKeyring(randomBytes(32))).storeConnectedCredentials(lostAccount, issued(99), now);

    const result = await rotateTokenKey({ models: db.models, keys: rotated });
    expect(result).toMatchObject({ resealed: 1, unreadable: 1, remaining: 1 });
    expect(await keyIdOf(legacyAccount)).toBe(tokenKeyId(newKey));
    expect((await createCredentialStore(db.models, afterwards).loadCredentials(legacyAccount))?.credentials.accessToken).toBe('legacy-access');
    await db.models.Credential.deleteMany({ accountId: lostAccount });
  });

  it('two rotations at once, racing a renewal, leave every document readable with the new key alone', async () => {
    const oldStore = createCredentialStore(db.models, before);
    const accounts = Array.from({ length: 12 }, () => randomUUID());
    for (const [n, accountId] of accounts.entries()) await oldStore.storeConnectedCredentials(accountId, issued(n), new Date());
    const store = createCredentialStore(db.models, rotated);
    const [results] = await Promise.all([
      Promise.all([rotateTokenKey({ models: db.models, keys: rotated, batchSize: 3 }), rotateTokenKey({ models: db.models, keys: rotated, batchSize: 5 })]),
      store.replaceAfterRenewal(accounts[5]!, 1, { accessToken: 'renewed-5', accessTokenLifetimeSec: 7200 }, new Date()),
    ]);
    for (const result of results) expect(result.unreadable).toBe(0);
    expect(await store.countSealedWithOlderKeys()).toBe(0);
    const newOnly = createCredentialStore(db.models, afterwards);
    for (const [n, accountId] of accounts.entries()) {
      expect((await newOnly.loadCredentials(accountId))?.credentials.accessToken).toBe(n === 5 ? 'renewed-5' : `access-${n}`);
    }
  });

  it('re-seals each document with point reads and writes by `_id` alone, however many are stored', async () => {
    // A database of its own with its commands counted: a conditional write reads the whole collection on FerretDB (db/README.md).
    const monitored = await openMonitoredDatabase();
    try {
      const { models, counter } = monitored;
      const oldStore = createCredentialStore(models, before);
      const accounts = Array.from({ length: 4 }, () => randomUUID());
      for (const [n, accountId] of accounts.entries()) await oldStore.storeConnectedCredentials(accountId, issued(n), new Date());
      const store = createCredentialStore(models, rotated);
      const docs = await store.findSealedWithOlderKeys(100);
      expect(docs).toHaveLength(4);

      counter.reset();
      for (const doc of docs) expect(await store.resealWithCurrentKey(doc)).toBe('resealed');
      const count = counter.count();

      expect(count.byCommand).toEqual({ 'update credentials': 4, 'find credential_heads': 4, 'update credential_heads': 4, 'find credentials': 4 });
      expect(count.scans).toEqual({});
      const newOnly = createCredentialStore(models, afterwards);
      for (const [n, accountId] of accounts.entries()) expect((await newOnly.loadCredentials(accountId))?.credentials.accessToken).toBe(`access-${n}`);
    } finally {
      await monitored.close();
    }
  });

  it('leaves the head on the newest version when a renewal moved it on while the document was re-sealed', async () => {
    const accountId = randomUUID();
    await createCredentialStore(db.models, before).storeConnectedCredentials(accountId, issued(1), new Date());
    const store = createCredentialStore(db.models, rotated);
    const [listed] = (await store.findSealedWithOlderKeys(100)).filter((doc) => doc.accountId === accountId);
    const headOfVersion1 = await db.models.CredentialHead.findById(accountId).lean();
    expect(await store.replaceAfterRenewal(accountId, 1, { accessToken: 'renewed', accessTokenLifetimeSec: 7200 }, new Date())).toEqual({ kind: 'replaced', version: 2 });
    // As if the re-seal read the head before the renewal copied version 2 there, and writes after it.
    await db.models.CredentialHead.replaceOne({ _id: accountId }, headOfVersion1!);

    expect(await store.resealWithCurrentKey(listed!)).toBe('changed');

    expect(await db.models.CredentialHead.findById(accountId).lean()).toMatchObject({ version: 2 });
    expect(await createCredentialStore(db.models, afterwards).loadCredentials(accountId)).toMatchObject({ version: 2, credentials: { accessToken: 'renewed' } });
  });

  it('runs as `npm run admin -- rotate-key`, showing progress and what is left', async () => {
    const accountId = randomUUID();
    await createCredentialStore(db.models, before).storeConnectedCredentials(accountId, issued(1), new Date());
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`) };
    const code = await runAdmin(['rotate-key'], { models: db.models, config: { ...config, tokenEncryptionKey: rotated }, io });
    expect(code).toBe(0);
    expect(lines).toEqual(['re-sealed 0/1', 're-sealed 1/1', 'Every stored token is sealed with the current key; older keys can be removed from TOKEN_ENCRYPTION_OLD_KEYS.']);
    expect(await keyIdOf(accountId)).toBe(tokenKeyId(newKey));
  });
});
