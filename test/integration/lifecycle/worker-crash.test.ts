import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialStore } from '../../../db/credentials.js';
import type { PlatformId } from '../../../platforms/types.js';
import { SandboxClient } from '../../../sandbox/client.js';
import { startSandbox } from '../../../sandbox/server.js';
import { completeConnection } from '../../../services/accounts/complete-connection.js';
import { openDatabase, temporalClient, testConfig, uniqueName, type TestDatabase } from '../../helpers/integration.js';
import { connectThroughSandbox, createOwner, sandboxAdapters, waitFor, type Owner } from '../../helpers/lifecycle.js';
import { removeWorkerLeftovers, spawnWorkerProcess, testWorkerEnvironment, waitUntilPolling, type WorkerProcess } from '../../helpers/worker-process.js';

// The production worker process, SIGKILLed again and again while ten X and Bluesky accounts with
// rotating refresh tokens that live seconds are being renewed. After the crashes every account must
// still be active, renewing, and no refresh token may ever have been presented twice.
//
// Token requests pass through a "network" that delays them 0.3–2 s before they reach the platform,
// so kills land while renewals are outstanding (lease taken, platform call pending). A request whose
// sender died on the way never reaches the platform. The one window no client can survive with
// strict rotation, "the platform rotated the token but the worker died before storing the new one",
// is not what this test is about: kills wait for a moment when no renewal is in it.

const TOKEN_REQUEST = /\/(?:oauth2\/token|com\.atproto\.server\.refreshSession)$/;
const LIFETIME_SEC = 6;
/** A health check every few seconds: on X and Bluesky each one is a renewal. */
const HEALTH_CHECK_MS = 5_000;
const KILLS = 3;

interface Account {
  accountId: string;
  platform: PlatformId;
  externalId: string;
}

/** The sandbox behind a slow network that tracks renewals in flight. */
async function startSandboxBehindNetwork() {
  const traffic = { inNetwork: 0, atPlatform: 0, reachedPlatform: 0, lost: 0, lastKillAt: 0 };
  const slowNetwork: RequestHandler = async (req, res, next) => {
    if (!TOKEN_REQUEST.test(req.path)) return next();
    const sentAt = Date.now();
    traffic.inNetwork += 1;
    await sleep(randomInt(300, 2000));
    traffic.inNetwork -= 1;
    if (req.socket.destroyed || traffic.lastKillAt >= sentAt - 2000) {
      traffic.lost += 1;
      req.socket.destroy();
      return;
    }
    traffic.atPlatform += 1;
    traffic.reachedPlatform += 1;
    res.once('close', () => (traffic.atPlatform -= 1));
    next();
  };
  const sandbox = await startSandbox({ before: [slowNetwork] });
  return { ...sandbox, traffic, control: new SandboxClient(sandbox.url) };
}

describe('worker process killed with SIGKILL in the middle of renewals', () => {
  const encryptionKey = randomBytes(32).toString('base64');
  const config = testConfig({ TOKEN_ENCRYPTION_KEY: encryptionKey });
  const temporalTarget = { address: config.temporal.address, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue };
  let db: TestDatabase;
  let sandbox: Awaited<ReturnType<typeof startSandboxBehindNetwork>>;
  let temporal: { client: Client; close(): Promise<void> };
  let owner: Owner;
  let worker: WorkerProcess | undefined;
  const accounts: Account[] = [];

  const startWorker = async () => {
    worker = spawnWorkerProcess(testWorkerEnvironment(config, { sandboxUrl: sandbox.url, encryptionKey }));
    await waitUntilPolling(worker, temporalTarget);
    return worker;
  };

  const refreshesOf = (account: Account) => sandbox.state.counters.get(account.platform, account.externalId).refreshes;

  /** Every account's newest stored version matches the renewals the platform made: none is between the two. */
  const storedMatchesPlatform = async () => {
    const stored = await db.models.Credential.find({ accountId: { $in: accounts.map((a) => a.accountId) } }, { accountId: 1, version: 1 }).lean();
    return accounts.every((account) => {
      const newest = Math.max(0, ...stored.filter((c) => c.accountId === account.accountId).map((c) => c.version));
      return newest === 1 + refreshesOf(account);
    });
  };

  /** SIGKILLs the worker at a moment no rotated token is on its way to the database; returns renewals it left outstanding. */
  const killMidRenewals = async (victim: WorkerProcess): Promise<number> => {
    const { traffic } = sandbox;
    const patientUntil = Date.now() + 8000;
    let outstanding = 0;
    await waitFor(
      'a moment to kill the worker with no rotated token unsaved',
      async () => {
        // Prefer a moment with renewals on their way to the platform, then take any safe one.
        if (traffic.atPlatform > 0 || (traffic.inNetwork === 0 && Date.now() < patientUntil)) return false;
        const reached = traffic.reachedPlatform;
        if (!(await storedMatchesPlatform())) return false;
        if (traffic.atPlatform > 0 || traffic.reachedPlatform !== reached) return false;
        // Synchronously from here: no platform request can be handled before the process is gone.
        outstanding = traffic.inNetwork;
        traffic.lastKillAt = Date.now();
        victim.killNow();
        return true;
      },
      60_000,
    );
    await victim.exited;
    return outstanding;
  };

  const connectX = async (handle: string): Promise<Account> => {
    const connected = await connectThroughSandbox({ config, db, client: temporal.client, sandboxUrl: sandbox.url, owner, platform: 'x', handle, workflowDefaults: { healthCheckMs: HEALTH_CHECK_MS } });
    expect(connected.result).toMatchObject({ accepted: true, state: { status: 'active' } });
    return { accountId: connected.accountId, platform: 'x', externalId: connected.externalId };
  };

  const connectBluesky = async (handle: string): Promise<Account> => {
    const created = await sandbox.control.createBlueskyAccount({ handle });
    const session = await sandboxAdapters(config, sandbox.url).bluesky!.createSession!({ identifier: created.handle, appPassword: created.appPassword });
    if (session.kind !== 'ok') throw new Error(`Bluesky sign-in failed: ${JSON.stringify(session)}`);
    const connected = await completeConnection(
      {
        models: db.models,
        store: createCredentialStore(db.models, config.tokenEncryptionKey),
        workflows: { client: temporal.client, taskQueue: config.temporal.taskQueue, healthCheckMs: HEALTH_CHECK_MS },
      },
      { ...owner, platform: 'bluesky', identity: session.value.identity, tokens: session.value.tokens },
    );
    expect(connected.result).toMatchObject({ accepted: true, state: { status: 'active' } });
    return { accountId: connected.accountId, platform: 'bluesky', externalId: created.id };
  };

  beforeAll(async () => {
    db = await openDatabase(config);
    sandbox = await startSandboxBehindNetwork();
    await sandbox.control.configure({ platformLifetimes: { x: { accessTokenSec: LIFETIME_SEC }, bluesky: { accessTokenSec: LIFETIME_SEC } } });
    temporal = await temporalClient(config);
    owner = await createOwner(db);
    await startWorker();
  }, 240_000);

  afterAll(async () => {
    await worker?.kill();
    if (temporal) await removeWorkerLeftovers(temporal.client, config.temporal.taskQueue, accounts.map((account) => account.accountId));
    await temporal?.close();
    await sandbox?.close();
    await db?.close();
  });

  it('keeps every account active with zero refresh-token reuse, and renewing after the last restart', { timeout: 600_000 }, async () => {
    const suffix = uniqueName('c').slice(2, 8);
    for (let i = 0; i < 6; i++) accounts.push(await connectX(`crash${i}_${suffix}`));
    for (let i = 0; i < 4; i++) accounts.push(await connectBluesky(`crash-${suffix}-${i}.bsky.social`));
    await waitFor('every account renewed at least once', async () => accounts.every((a) => refreshesOf(a) >= 1), 90_000);

    let outstandingAtKills = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(randomInt(1000, 6000));
      outstandingAtKills += await killMidRenewals(worker!);
      await startWorker();
    }
    const afterLastRestart = new Map(accounts.map((a) => [a.accountId, refreshesOf(a)]));

    // Renewals held by a killed worker resume once their activity times out (1 min) and the lease lapses.
    await waitFor(
      'two renewals of every account after the last restart',
      async () => accounts.every((a) => refreshesOf(a) >= afterLastRestart.get(a.accountId)! + 2),
      240_000,
    );

    expect(outstandingAtKills, 'kills landed while renewals were outstanding').toBeGreaterThan(0);
    for (const account of accounts) {
      const label = `${account.platform} account ${account.accountId}`;
      expect(sandbox.state.counters.get(account.platform, account.externalId).refreshTokenReuse, label).toBe(0);
      expect((await db.models.Account.findById(account.accountId).lean())?.status?.state, label).toBe('active');
    }
    expect(await db.models.Notification.countDocuments({ kind: 'expired' })).toBe(0);
    expect(await db.models.Notification.countDocuments({ kind: 'expiring' })).toBe(0);
    expect(worker!.output().filter((line) => /could not be stored/i.test(line))).toEqual([]);
  });
});
