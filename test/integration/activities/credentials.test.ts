import { setTimeout } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { PlatformAdapter, PlatformId } from '../../../platforms/types.js';
import { afterConnect, projectionAfterConnect } from '../../../workflows/lifecycle/projection.js';
import { transition } from '../../../workflows/lifecycle/state.js';
import { activityLogs, connectBluesky, connectOAuth, inActivity, inActivityWith, useActivityWorld, type ActivityWorld, type ConnectedAccount } from './support.js';

const world = useActivityWorld();

async function storedTokens(world: ActivityWorld, accountId: string) {
  const loaded = await world.store.loadCredentials(accountId);
  if (!loaded) throw new Error('no stored credentials');
  return loaded;
}

async function expectRotationOnce(platform: 'x' | 'bluesky', connected: ConnectedAccount) {
  const activities = world.activities();
  const { accountId, identity, tokens } = connected;
  const counters = () => world.control.counters({ platform, externalId: identity.externalId });
  const before = await counters();

  const renewed = await inActivity(activities.renewCredentials, { accountId, knownVersion: connected.version });
  expect(renewed).toMatchObject({ outcome: 'ok', facts: { version: connected.version + 1, policy: { renewal: 'rotatingRefresh' } } });
  if (renewed.outcome !== 'ok') throw new Error('unreachable');
  expect(renewed.facts.lifetimes.accessSec).toBeGreaterThan(0);
  const stored = await storedTokens(world, accountId);
  expect(stored.version).toBe(connected.version + 1);
  expect(stored.credentials.accessToken).not.toBe(tokens.accessToken);
  expect(stored.credentials.refreshToken).toBeTruthy();
  expect(stored.credentials.refreshToken).not.toBe(tokens.refreshToken);
  const afterFirst = await counters();
  expect(afterFirst.refreshes - before.refreshes).toBe(1);

  // The workflow retries with the version it knew before the crash: the landed renewal is reused.
  const again = await inActivity(activities.renewCredentials, { accountId, knownVersion: connected.version });
  expect(again).toEqual(renewed);
  const afterSecond = await counters();
  expect(afterSecond.refreshes).toBe(afterFirst.refreshes);
  expect(afterSecond.refreshTokenReuse).toBe(0);
  expect((await storedTokens(world, accountId)).credentials.refreshToken).toBe(stored.credentials.refreshToken);

  // The stored (rotated) refresh token is the live one: the next renewal works.
  const next = await inActivity(activities.renewCredentials, { accountId, knownVersion: connected.version + 1 });
  expect(next).toMatchObject({ outcome: 'ok', facts: { version: connected.version + 2 } });
  expect((await counters()).refreshTokenReuse).toBe(0);
}

describe('renewCredentials', () => {
  it('X: rotates and stores tokens once; a retry with the old version does not call the platform', async () => {
    await expectRotationOnce('x', await connectOAuth(world, 'x'));
  });

  it('Bluesky: rotates and stores tokens once; a retry with the old version does not call the platform', async () => {
    await expectRotationOnce('bluesky', await connectBluesky(world));
  });

  it('a revoked grant comes back as failed reauthRequired, a 5xx as failed transient (never thrown)', async () => {
    const activities = world.activities();
    const connected = await connectOAuth(world, 'x', 'sandbox_carol');
    await world.control.failNext('x', connected.identity.externalId, 1, 503);
    const transient = await inActivity(activities.renewCredentials, { accountId: connected.accountId, knownVersion: connected.version });
    expect(transient).toMatchObject({ outcome: 'failed', failure: { kind: 'transient' } });
    expect((await storedTokens(world, connected.accountId)).version).toBe(connected.version);

    await world.control.revoke('x', connected.identity.externalId);
    const revoked = await inActivity(activities.renewCredentials, { accountId: connected.accountId, knownVersion: connected.version });
    expect(revoked).toMatchObject({ outcome: 'failed', failure: { kind: 'reauthRequired' } });
    if (revoked.outcome === 'failed' && revoked.failure.kind === 'reauthRequired') expect(revoked.failure.code).toBe('refresh_token_invalid');
    expect((await storedTokens(world, connected.accountId)).version).toBe(connected.version);
  });

  it('two concurrent renewals with the same known version make one platform refresh and reuse nothing', async () => {
    const connected = await connectOAuth(world, 'x', 'sandbox_bob');
    const activities = world.activities();
    const counters = () => world.control.counters({ platform: 'x', externalId: connected.identity.externalId });
    const before = await counters();
    const input = { accountId: connected.accountId, knownVersion: connected.version };
    const results = await Promise.all([inActivity(activities.renewCredentials, input), inActivity(activities.renewCredentials, input)]);
    for (const result of results) expect(result).toMatchObject({ outcome: 'ok', facts: { version: connected.version + 1 } });
    const after = await counters();
    expect(after.refreshes - before.refreshes).toBe(1);
    expect(after.refreshTokenReuse - before.refreshTokenReuse).toBe(0);
    // One attempt took the renewal claim; the other waited for its result.
    expect(await world.db.models.Claim.countDocuments({ key: `renew:${connected.accountId}:${connected.version}` })).toBe(1);
  });

  it('the token request waits for its turn from the pacer, after the database work', async () => {
    const connected = await connectOAuth(world, 'x', 'sandbox_carol');
    const counters = () => world.control.counters({ platform: 'x', externalId: connected.identity.externalId });
    const before = await counters();
    let reached!: () => void;
    let letThrough!: () => void;
    const atPacer = new Promise<void>((resolve) => (reached = resolve));
    const turn = new Promise<void>((resolve) => (letThrough = resolve));
    const paced: PlatformId[] = [];
    const activities = world.activities({
      paceTokenRequests: (platform) => {
        paced.push(platform);
        reached();
        return turn;
      },
    });
    const renewal = inActivity(activities.renewCredentials, { accountId: connected.accountId, knownVersion: connected.version });
    await atPacer;
    expect(paced).toEqual(['x']);
    expect((await counters()).refreshes).toBe(before.refreshes);
    letThrough();
    expect(await renewal).toMatchObject({ outcome: 'ok', facts: { version: connected.version + 1 } });
    expect((await counters()).refreshes - before.refreshes).toBe(1);
  });

  it('an attempt past half its timeout reads the account again before writing its status, so a newer status stays', async () => {
    const identity = await world.control.createIdentity({ platform: 'x', handle: 'status_after_timeout' });
    const connected = await connectOAuth(world, 'x', identity.id);
    const { accountId } = connected;
    const connect = { start: { accountId, config: {}, schemaVersion: 2 } as const, now: Date.now(), jitter: 0.5, sequence: 10 };
    const taken = await inActivity(world.activities().connectCredentials, { accountId, verifyWithPlatform: false, describe: false, record: connect });
    if (taken.outcome !== 'ok') throw new Error('the connect was refused');
    const { Account } = world.db.models;
    const statusOf = async () => (await Account.findById(accountId).lean())?.status;
    // While this attempt waits for its turn, the workflow (after this attempt's timeout) records a newer status.
    const activities = world.activities({
      paceTokenRequests: async () => {
        await Account.updateOne({ _id: accountId }, { $set: { 'status.sequence': 12, 'status.state': 'disconnected' } });
        await setTimeout(60);
      },
    });
    // The lifecycle as the workflow hands it over: a renewal the user asked for is under way.
    const renewing = transition(afterConnect(connect, 'x', taken.facts).state, { type: 'refreshRequested', now: Date.now() }).state;
    const record = { lifecycle: renewing, now: Date.now(), jitter: 0.5, sequence: 11 };
    const attempt = { startToCloseTimeoutMs: 100, scheduleToCloseTimeoutMs: 0 };
    const renewed = await inActivityWith(attempt, activities.renewCredentials, { accountId, knownVersion: connected.version, record });
    expect(renewed).toMatchObject({ outcome: 'ok', facts: { version: connected.version + 1 } });
    expect(await statusOf()).toMatchObject({ sequence: 12, state: 'disconnected' });

    // Inside half its timeout, the account it read stands in, and its status lands.
    const next = { ...record, sequence: 13 };
    expect(await inActivityWith({ startToCloseTimeoutMs: 60_000, scheduleToCloseTimeoutMs: 0 }, world.activities().renewCredentials, { accountId, knownVersion: connected.version + 1, record: next })).toMatchObject({ outcome: 'ok' });
    expect(await statusOf()).toMatchObject({ sequence: 13, state: 'active' });
  });

  it('an attempt that died holding the renewal lease is taken over once the lease ends', async () => {
    const connected = await connectOAuth(world, 'x', 'sandbox_bob');
    const past = new Date(Date.now() - 120_000);
    expect(await world.store.claimRenewal(connected.accountId, connected.version, 'dead-worker', past, 60_000)).toBe(1);
    expect(await world.store.claimRenewal(connected.accountId, connected.version, 'other', new Date(), 60_000)).toBe(2);
    expect(await world.store.claimRenewal(connected.accountId, connected.version, 'third', new Date(), 60_000)).toBeUndefined();
    await world.store.releaseRenewal(connected.accountId, connected.version, 2, new Date());
    const result = await inActivity(world.activities().renewCredentials, { accountId: connected.accountId, knownVersion: connected.version });
    expect(result).toMatchObject({ outcome: 'ok', facts: { version: connected.version + 1 } });
  });

  it('when another writer stores credentials during the platform call, its tokens win and the platform is not called again', async () => {
    const connected = await connectOAuth(world, 'x');
    const real = world.adapters.x!;
    let refreshCalls = 0;
    const racing: PlatformAdapter = {
      ...real,
      tokenPolicy: (c) => real.tokenPolicy(c),
      refresh: async (account, credentials) => {
        refreshCalls++;
        const outcome = await real.refresh(account, credentials);
        await world.store.replaceAfterRenewal(connected.accountId, connected.version, { accessToken: 'other-writer-access', refreshToken: 'other-writer-refresh', accessTokenLifetimeSec: 60 }, new Date());
        return outcome;
      },
    };
    const activities = world.activities({ adapters: { ...world.adapters, x: racing } });
    const result = await inActivity(activities.renewCredentials, { accountId: connected.accountId, knownVersion: connected.version });
    expect(result).toMatchObject({ outcome: 'ok', facts: { version: connected.version + 1 } });
    if (result.outcome === 'ok') expect(result.facts.lifetimes.accessSec).toBeLessThanOrEqual(60);
    expect(refreshCalls).toBe(1);
    expect((await storedTokens(world, connected.accountId)).credentials.accessToken).toBe('other-writer-access');
  });
});

describe('credential store', () => {
  it('replaceAfterRenewal is conditional on the version: the second writer with the same expected version loses', async () => {
    const { accountId, version } = await connectOAuth(world, 'x', 'sandbox_bob');
    const now = new Date();
    expect(await world.store.replaceAfterRenewal(accountId, version, { accessToken: 'a-1', refreshToken: 'r-1', accessTokenLifetimeSec: 7200 }, now)).toEqual({
      kind: 'replaced',
      version: version + 1,
    });
    expect(await world.store.replaceAfterRenewal(accountId, version, { accessToken: 'a-2', refreshToken: 'r-2' }, now)).toEqual({ kind: 'conflict' });
    const stored = await storedTokens(world, accountId);
    expect(stored).toMatchObject({ version: version + 1, credentials: { accessToken: 'a-1', refreshToken: 'r-1' } });
  });

  it('keeps one document per account, found by _id, and still finds the newest when its head is lost', async () => {
    const { accountId, version } = await connectOAuth(world, 'x', 'sandbox_carol');
    const now = new Date();
    for (let step = 0; step < 3; step++) {
      await world.store.replaceAfterRenewal(accountId, version + step, { accessToken: `a-${step}`, refreshToken: `r-${step}` }, now);
    }
    const documents = await world.db.models.Credential.find({ accountId }).lean();
    expect(documents.map((d) => d._id)).toEqual([`${accountId}:${version + 3}`]);
    expect(await world.db.models.CredentialHead.findById(accountId).lean()).toMatchObject({ version: version + 3 });

    await world.db.models.CredentialHead.deleteOne({ _id: accountId });
    expect(await storedTokens(world, accountId)).toMatchObject({ version: version + 3, credentials: { accessToken: 'a-2' } });
  });

  it('a renewal without a refresh token keeps the stored one and its expiry; a reconnect stores what was issued', async () => {
    const { accountId } = await connectOAuth(world, 'x', 'sandbox_bob');
    const t0 = new Date('2030-01-01T00:00:00Z');
    const v1 = await world.store.storeConnectedCredentials(accountId, { accessToken: 'a', refreshToken: 'keep-me', accessTokenLifetimeSec: 3600, refreshTokenLifetimeSec: 86400, scopes: ['s1'] }, t0);
    const t1 = new Date('2030-01-01T01:00:00Z');
    expect(await world.store.replaceAfterRenewal(accountId, v1, { accessToken: 'b', accessTokenLifetimeSec: 3600 }, t1)).toEqual({ kind: 'replaced', version: v1 + 1 });
    const renewed = await storedTokens(world, accountId);
    expect(renewed.credentials).toEqual({
      accessToken: 'b',
      refreshToken: 'keep-me',
      accessTokenExpiresAt: '2030-01-01T02:00:00.000Z',
      refreshTokenExpiresAt: '2030-01-02T00:00:00.000Z',
      issuedAt: t1.toISOString(),
      scopes: ['s1'],
    });
    const v3 = await world.store.storeConnectedCredentials(accountId, { accessToken: 'c' }, t1);
    expect(v3).toBe(v1 + 2);
    expect((await storedTokens(world, accountId)).credentials).toEqual({ accessToken: 'c', issuedAt: t1.toISOString() });
  });

  it('MongoDB and the activity logs hold no token in clear', async () => {
    const connected = await connectOAuth(world, 'x');
    await inActivity(world.activities().renewCredentials, { accountId: connected.accountId, knownVersion: connected.version });
    const renewed = await storedTokens(world, connected.accountId);
    const rawDocs = await world.db.connection.db!.collection('credentials').find({ accountId: connected.accountId }).toArray();
    expect(rawDocs).toHaveLength(1);
    const raw = JSON.stringify(await world.db.connection.db!.collection('credentials').find({}).toArray());
    expect(raw).toContain(connected.accountId);
    const logs = JSON.stringify(activityLogs);
    for (const token of [connected.tokens.accessToken, connected.tokens.refreshToken!, renewed.credentials.accessToken, renewed.credentials.refreshToken!]) {
      expect(token.length).toBeGreaterThan(8);
      expect(raw).not.toContain(token);
      expect(logs).not.toContain(token);
    }
  });
});

describe('inspect, validate, premium, describe', () => {
  it('inspect returns facts from stored expiries, and with verification reports a revoked grant precisely', async () => {
    const activities = world.activities();
    const connected = await connectOAuth(world, 'x', 'sandbox_carol');
    const facts = await inActivity(activities.inspectCredentials, { accountId: connected.accountId, verifyWithPlatform: true });
    expect(facts).toMatchObject({ outcome: 'ok', facts: { version: connected.version, policy: { renewal: 'rotatingRefresh' } } });
    if (facts.outcome === 'ok') {
      expect(facts.facts.lifetimes.accessSec).toBeGreaterThan(connected.tokens.accessTokenLifetimeSec! - 30);
      expect(facts.facts.lifetimes.accessSec).toBeLessThanOrEqual(connected.tokens.accessTokenLifetimeSec!);
    }
    expect(await inActivity(activities.validateCredentials, connected.accountId)).toEqual({ outcome: 'ok' });

    await world.control.revoke('x', connected.identity.externalId);
    expect(await inActivity(activities.inspectCredentials, { accountId: connected.accountId, verifyWithPlatform: false })).toMatchObject({ outcome: 'ok' });
    expect(await inActivity(activities.inspectCredentials, { accountId: connected.accountId, verifyWithPlatform: true })).toMatchObject({
      outcome: 'failed',
      failure: { kind: 'reauthRequired' },
    });
    expect(await inActivity(activities.validateCredentials, connected.accountId)).toMatchObject({ outcome: 'failed', failure: { kind: 'reauthRequired' } });
  });

  it('connectCredentials describes, verifies and records the started lifecycle once; refused credentials come back unverified and unrecorded', async () => {
    const activities = world.activities();
    const connected = await connectOAuth(world, 'x', 'sandbox_carol');
    const start = { accountId: connected.accountId, config: {}, schemaVersion: 2 } as const;
    const record = { start, now: Date.now(), jitter: 0.5, sequence: 10 };
    const taken = await inActivity(activities.connectCredentials, { accountId: connected.accountId, verifyWithPlatform: true, describe: true, record });
    expect(taken).toMatchObject({ outcome: 'ok', facts: { version: connected.version }, account: { accountId: connected.accountId, platform: 'x', penName: 'Main' } });
    if (taken.outcome !== 'ok') throw new Error('unreachable');
    const expected = projectionAfterConnect(record, 'x', taken.facts)!;
    const status = (await world.db.models.Account.findById(connected.accountId).lean())?.status;
    expect(status).toMatchObject({ state: 'active', sequence: 10, queuePaused: false, nextAction: expected.nextAction, nextActionAt: new Date(expected.nextActionAt!) });

    // A retry with the same sequence writes nothing; without `describe` there is no summary.
    const again = await inActivity(activities.connectCredentials, { accountId: connected.accountId, verifyWithPlatform: false, describe: false, record });
    expect(again).not.toHaveProperty('account');
    expect((await world.db.models.Account.findById(connected.accountId).lean())?.status?.updatedAt).toEqual(status?.updatedAt);

    await world.control.revoke('x', connected.identity.externalId);
    const refused = await inActivity(activities.connectCredentials, { accountId: connected.accountId, verifyWithPlatform: true, describe: false, record: { ...record, sequence: 20 } });
    expect(refused).toMatchObject({ outcome: 'failed', failure: { kind: 'reauthRequired' }, unverified: { version: connected.version } });
    expect((await world.db.models.Account.findById(connected.accountId).lean())?.status?.sequence).toBe(10);
  });

  it('checkPremium stores the X subscription; other platforms are refused', async () => {
    const activities = world.activities();
    const bob = await connectOAuth(world, 'x', 'sandbox_bob');
    const premium = await inActivity(activities.checkPremium, bob.accountId);
    expect(premium).toMatchObject({ outcome: 'ok', premium: { subscriptionType: 'Premium' } });
    const account = await world.db.models.Account.findById(bob.accountId).lean();
    expect(account?.premium).toMatchObject({ subscriptionType: 'Premium' });
    expect(account?.premium?.checkedAt).toBeInstanceOf(Date);

    const bluesky = await connectBluesky(world);
    expect(await inActivity(activities.checkPremium, bluesky.accountId)).toMatchObject({ outcome: 'failed', failure: { kind: 'invalid' } });
  });

  it('describeAccount summarises the account; an unknown id fails without retries', async () => {
    const activities = world.activities();
    const connected = await connectBluesky(world);
    expect(await inActivity(activities.describeAccount, connected.accountId)).toEqual({
      accountId: connected.accountId,
      platform: 'bluesky',
      handle: 'alice.bsky.social',
      displayName: connected.identity.displayName,
      penNameId: world.penNameId,
      penName: 'Main',
      ownerId: world.ownerId,
    });
    const failure = await inActivity(activities.describeAccount, 'no-such-account').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).message).toContain('no-such-account');
  });

  it('a missing credential document is reported as reauthRequired, not thrown', async () => {
    const connected = await connectBluesky(world);
    await world.store.deleteCredentials(connected.accountId);
    expect(await inActivity(world.activities().renewCredentials, { accountId: connected.accountId, knownVersion: connected.version })).toMatchObject({
      outcome: 'failed',
      failure: { kind: 'reauthRequired', code: 'credentials_missing' },
    });
  });
});
