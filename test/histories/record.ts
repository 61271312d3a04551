import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import express, { type RequestHandler } from 'express';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { configFromEnvironment, loadConfig, type Config } from '../../config/index.js';
import { connectDatabase } from '../../db/connection.js';
import { createCredentialStore } from '../../db/credentials.js';
import { createModels } from '../../db/models/index.js';
import type { PlatformId } from '../../platforms/types.js';
import { SandboxClient } from '../../sandbox/client.js';
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js';
import { connectThroughSandbox, createOwner, lifecycleActivitiesFor, sandboxAdapters, waitFor, type Owner } from '../helpers/lifecycle.js';
import type { TestDatabase } from '../helpers/integration.js';
import { completeConnection } from '../../services/accounts/complete-connection.js';
import { createWorkers, runWorkers } from '../../worker/create-worker.js';
import {
  accountWorkflowId,
  checkPremiumUpdate,
  disconnectUpdate,
  penNameChangedSignal,
  refreshNowUpdate,
  resolveOverdueUpdate,
  revokedSignal,
  stateQuery,
  testPostUpdate,
  unschedulePostUpdate,
} from '../../workflows/account/messages.js';
import { createPost } from '../../db/posts.js';
import type { accountWorkflow } from '../../workflows/account/workflow.js';
import { startLifecycle } from '../../workflows/lifecycle/state.js';
import { emptyQueue } from '../../workflows/publishing/queue.js';
import { queuePost } from '../../services/posts/queue.js';
import { databaseServer, temporalCli } from '../../tools/binaries.js';
import { repoRoot } from '../../tools/paths.js';
import { freePort } from '../../tools/process.js';
import { startDatabaseServer, startTemporalDevServer, type RunningDatabase, type RunningTemporal } from '../../tools/servers.js';
import { historyWithDecodedPayloads } from '../../tools/history-text.js';

// `npx tsx test/histories/record.ts`: records the account workflow histories that the replay test
// (test/unit/replay) replays against the current workflow code. Starts its own Temporal dev
// server, database, sandbox and worker; runs representative lifecycles with tokens that live
// seconds; writes each finished run's history to test/histories/<name>.json. Refuses to write a
// history that contains any token the sandbox issued. Re-record only after an intentional,
// versioned (patched) workflow change; see test/histories/README.md.

const HISTORIES_DIR = path.join(repoRoot, 'test', 'histories');
const MAX_HISTORY_BYTES = 300_000;
/** Health checks every few seconds: on X and Bluesky each one is a renewal, on LinkedIn an introspection. */
const HEALTH_CHECK_MS = 5_000;

interface World {
  config: Config;
  db: TestDatabase;
  client: Client;
  sandbox: RunningSandbox;
  control: SandboxClient;
  owner: Owner;
}

type Recorded = Array<{ name: string; handle: WorkflowHandle; runId?: string }>;

const log = (line: string) => process.stdout.write(`[histories] ${line}\n`);

async function statusOf(world: World, accountId: string): Promise<string | undefined> {
  return (await world.db.models.Account.findById(accountId).lean())?.status?.state;
}

async function reachStatus(world: World, accountId: string, status: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(`account ${accountId} to be ${status}`, async () => (await statusOf(world, accountId)) === status, timeoutMs);
}

async function refreshesOf(world: World, platform: PlatformId, externalId: string): Promise<number> {
  return (await world.control.counters({ platform, externalId })).refreshes;
}

type WorkflowDefaults = { historyEventLimit?: number; overdueDecisionMs?: number; healthCheckMs?: number };

/** The OAuth consent in the sandbox, as a new X identity (`handle`) or an existing one (`identity`), with checks every few seconds. */
function consentX(world: World, who: { handle: string } | { identity: string }, extra: WorkflowDefaults = {}) {
  return connectThroughSandbox({
    config: world.config,
    db: world.db,
    client: world.client,
    sandboxUrl: world.sandbox.url,
    owner: world.owner,
    platform: 'x',
    ...who,
    workflowDefaults: { healthCheckMs: HEALTH_CHECK_MS, ...extra },
  });
}

async function connectX(world: World, handle: string, extra: WorkflowDefaults = {}) {
  const connected = await consentX(world, { handle }, extra);
  if (!connected.result.accepted) throw new Error(`connect of ${handle} was rejected: ${JSON.stringify(connected.result.rejection)}`);
  return { ...connected, handle: world.client.workflow.getHandle(accountWorkflowId(connected.accountId)) };
}

/** Connects the same X identity again: a reconnect of the same account. */
function reconnectX(world: World, externalId: string) {
  return consentX(world, { identity: externalId });
}

async function disconnect(handle: WorkflowHandle): Promise<void> {
  await handle.executeUpdate(disconnectUpdate);
  await handle.result();
}

/** (a) X: connect, several renewals (each health check renews), "renew now", disconnect. */
async function renewalsThenDisconnect(world: World): Promise<Recorded> {
  const account = await connectX(world, 'history_renewals');
  await waitFor('three X renewals', async () => (await refreshesOf(world, 'x', account.externalId)) >= 3, 90_000);
  const renewed = await account.handle.executeUpdate(refreshNowUpdate);
  if (renewed.state.status !== 'active') throw new Error(`refreshNow left the account ${renewed.state.status}`);
  await disconnect(account.handle);
  return [{ name: 'x-renewals-refresh-now-disconnect', handle: account.handle }];
}

/** (b) X: connect, revoked at the platform, expired, reconnected, active, disconnect. */
async function revokedThenReconnected(world: World): Promise<Recorded> {
  const account = await connectX(world, 'history_revoked');
  await waitFor('an X renewal', async () => (await refreshesOf(world, 'x', account.externalId)) >= 1, 60_000);
  await world.control.revoke('x', account.externalId);
  await reachStatus(world, account.accountId, 'expired');
  const again = await reconnectX(world, account.externalId);
  if (again.accountId !== account.accountId || !again.result.accepted) throw new Error('reconnect did not reach the same account');
  await reachStatus(world, account.accountId, 'active');
  const renewed = await refreshesOf(world, 'x', account.externalId);
  await waitFor('a renewal after reconnecting', async () => (await refreshesOf(world, 'x', account.externalId)) > renewed, 60_000);
  await disconnect(account.handle);
  return [{ name: 'x-revoked-expired-reconnected-disconnect', handle: account.handle }];
}

/** (c) LinkedIn without partner refresh: nothing can renew it, so it is warned about, then expires. */
async function linkedinWarnedThenExpired(world: World): Promise<Recorded> {
  const connected = await connectThroughSandbox({
    config: world.config,
    db: world.db,
    client: world.client,
    sandboxUrl: world.sandbox.url,
    owner: world.owner,
    platform: 'linkedin',
    workflowDefaults: { healthCheckMs: HEALTH_CHECK_MS },
  });
  if (!connected.result.accepted) throw new Error(`LinkedIn connect was rejected: ${JSON.stringify(connected.result.rejection)}`);
  const handle = world.client.workflow.getHandle(accountWorkflowId(connected.accountId));
  await reachStatus(world, connected.accountId, 'expiring', 60_000);
  await reachStatus(world, connected.accountId, 'expired', 60_000);
  // The status is recorded before the owner is notified of it.
  const kinds = async () => (await world.db.models.Notification.find({ accountId: connected.accountId }).lean()).map((n) => n.kind);
  const notified = async () => {
    const all = await kinds();
    return all.includes('expiring') && all.includes('expired');
  };
  await waitFor('the expiring and expired notifications', notified, 30_000).catch(async () => {
    throw new Error(`LinkedIn notifications were ${(await kinds()).join(', ')}`);
  });
  await disconnect(handle);
  return [{ name: 'linkedin-warned-expired-disconnect', handle }];
}

/** X with a tiny history limit: `first` in the first run, then continue-as-new, a renewal in the new run, disconnect. */
async function acrossContinueAsNew(world: World, handle: string, names: [string, string], first: (account: WorkflowHandle) => Promise<void> = async () => undefined): Promise<Recorded> {
  const account = await connectX(world, handle, { historyEventLimit: 40 });
  const firstRunId = (await account.handle.describe()).runId;
  await first(account.handle);
  await waitFor('a continued-as-new run', async () => (await account.handle.describe()).runId !== firstRunId, 120_000);
  const renewed = await refreshesOf(world, 'x', account.externalId);
  await waitFor('a renewal in the new run', async () => (await refreshesOf(world, 'x', account.externalId)) > renewed, 60_000);
  await disconnect(account.handle);
  return [
    { name: names[0], handle: account.handle, runId: firstRunId },
    { name: names[1], handle: account.handle },
  ];
}

/** (d) X with a tiny history limit: continues-as-new, keeps renewing, then disconnects. */
function continuedAsNew(world: World): Promise<Recorded> {
  return acrossContinueAsNew(world, 'history_long', ['x-continue-as-new-first-run', 'x-continue-as-new-last-run-disconnect']);
}

/** (d') As (d), with its pen name renamed (a penNameChanged signal) in the first run: continue-as-new carries the new name. */
function penNameRenamed(world: World): Promise<Recorded> {
  return acrossContinueAsNew(world, 'history_renamed', ['x-pen-name-renamed-first-run', 'x-pen-name-renamed-last-run-disconnect'], (account) =>
    account.signal(penNameChangedSignal, { penNameId: world.owner.penNameId, penName: 'Renamed Notes' }),
  );
}

/** (e) X: Premium check, a rejected access token renewed on demand, platform revocation by signal. */
async function premiumAndRevokedSignal(world: World): Promise<Recorded> {
  const account = await connectX(world, 'history_premium');
  const premium = await account.handle.executeUpdate(checkPremiumUpdate);
  if (!premium.ok) throw new Error(`Premium check failed: ${JSON.stringify(premium.reason)}`);
  const before = await refreshesOf(world, 'x', account.externalId);
  await world.control.expire('x', account.externalId);
  const rejected = await account.handle.executeUpdate(checkPremiumUpdate);
  if (rejected.ok) throw new Error('Premium check with an expired access token unexpectedly succeeded');
  await waitFor('the renewal the rejection triggers', async () => (await refreshesOf(world, 'x', account.externalId)) > before, 30_000);
  await reachStatus(world, account.accountId, 'active');
  await account.handle.signal(revokedSignal, { reason: { code: 'app_removed', message: 'You removed Tether in your X settings' } });
  await waitFor('expired by signal', async () => (await account.handle.query(stateQuery)).status === 'expired', 30_000);
  await reachStatus(world, account.accountId, 'expired');
  await disconnect(account.handle);
  return [{ name: 'x-premium-rejected-token-revoked-signal-disconnect', handle: account.handle }];
}

/** Bluesky (app password, rotating refresh JWTs on its own renewal queue): renewals, then disconnect. */
async function blueskyRenewals(world: World): Promise<Recorded> {
  const bluesky = await world.control.createBlueskyAccount({ handle: 'history.bsky.social' });
  const adapter = sandboxAdapters(world.config, world.sandbox.url).bluesky!;
  const session = await adapter.createSession!({ identifier: bluesky.handle, appPassword: bluesky.appPassword });
  if (session.kind !== 'ok') throw new Error(`Bluesky sign-in failed: ${JSON.stringify(session)}`);
  const connected = await completeConnection(
    {
      models: world.db.models,
      store: createCredentialStore(world.db.models, world.config.tokenEncryptionKey),
      workflows: { client: world.client, taskQueue: world.config.temporal.taskQueue, healthCheckMs: HEALTH_CHECK_MS },
    },
    { ...world.owner, platform: 'bluesky', identity: session.value.identity, tokens: session.value.tokens },
  );
  const handle = world.client.workflow.getHandle(accountWorkflowId(connected.accountId));
  await waitFor('two Bluesky renewals', async () => (await refreshesOf(world, 'bluesky', bluesky.id)) >= 2, 60_000);
  await disconnect(handle);
  return [{ name: 'bluesky-renewals-disconnect', handle }];
}

/** Writes a post for one X account and, unless it is a test post, queues it as the dashboard does. */
function poster(world: World, account: { accountId: string }, handle: string) {
  const workflows = { client: world.client, taskQueue: world.config.temporal.taskQueue };
  return async (text: string, publishAt: Date, kind: 'scheduled' | 'test' = 'scheduled') => {
    const post = await createPost(
      world.db.models,
      { ...world.owner, kind, text, timeZone: 'UTC', publishAt, targets: [{ accountId: account.accountId, platform: 'x', handle }] },
      new Date(),
    );
    if (kind === 'scheduled') await queuePost(workflows, world.db.models, post);
    return post;
  };
}

const postStateOf = async (world: World, postId: string) => (await world.db.models.PostTarget.findOne({ postId }).lean())?.state;

/** Revokes an X account at the platform, lets the post fall due while it is expired, and reconnects: the post is held as overdue. */
async function fallDueWhileExpired(world: World, account: { accountId: string; externalId: string }, post: { _id: string; publishAt: Date }): Promise<void> {
  await world.control.revoke('x', account.externalId);
  await reachStatus(world, account.accountId, 'expired');
  await waitFor('the post to fall due', async () => Date.now() > post.publishAt.getTime() + 1_000, 30_000);
  const again = await reconnectX(world, account.externalId);
  if (!again.result.accepted || again.result.state.queue.overdue?.postIds[0] !== post._id) throw new Error('the reconnect did not hold the overdue post');
}

/** (g) X publishing: posts go out, pause while expired, resume after the reconnect's overdue hold; a test post; disconnect fails what is left. */
async function publishingQueue(world: World): Promise<Recorded> {
  const account = await connectX(world, 'history_publishing', { overdueDecisionMs: 3_000 });
  const schedule = poster(world, account, 'history_publishing');
  const stateOf = (postId: string) => postStateOf(world, postId);
  const soon = await Promise.all([schedule('History post one', new Date(Date.now() + 2_000)), schedule('History post two', new Date(Date.now() + 2_100))]);
  await waitFor('the first two posts', async () => (await Promise.all(soon.map((post) => stateOf(post._id)))).every((state) => state === 'published'), 30_000);

  const paused = await schedule('History post paused', new Date(Date.now() + 8_000));
  await fallDueWhileExpired(world, account, paused);
  await waitFor('the overdue post after the hold', async () => (await stateOf(paused._id)) === 'published', 30_000);

  const test = await schedule('History test post', new Date(), 'test');
  const tested = await account.handle.executeUpdate(testPostUpdate, { args: [{ postId: test._id }] });
  if (tested.outcome !== 'published') throw new Error(`the test post failed: ${JSON.stringify(tested.reason)}`);
  await schedule('History post left behind', new Date(Date.now() + 3_600_000));
  const result = await account.handle.executeUpdate(disconnectUpdate);
  if (result.affectedPosts !== 1) throw new Error(`disconnect affected ${result.affectedPosts} posts, expected 1`);
  await account.handle.result();
  return [{ name: 'x-publishing-paused-overdue-test-post-disconnect', handle: account.handle }];
}

/** Post text → X account whose access token dies just before the platform first sees that post (the sandbox's request hook in main). */
const expireBeforePostOf = new Map<string, string>();

/**
 * (g') X posts due together, one activity each run (patch `publish-due-together`): three posts
 * whose second meets a dead access token (the first stays published, the token is renewed, the next
 * activity publishes the other two); a run with a duplicate the platform rejects in the middle (the
 * activity goes on); a run whose first post meets a rate limit (the rest wait for the reset); disconnect.
 */
async function publishingTogether(world: World): Promise<Recorded> {
  const account = await connectX(world, 'history_together', { healthCheckMs: 3_600_000 });
  const schedule = poster(world, account, 'history_together');
  const allPublished = (posts: Array<{ _id: string }>, what: string) =>
    waitFor(what, async () => (await Promise.all(posts.map((post) => postStateOf(world, post._id)))).every((state) => state === 'published' || state === 'failed'), 60_000);
  const together = async (texts: string[]) => {
    const dueAt = new Date(Date.now() + 3_000);
    const posts = [];
    for (const text of texts) posts.push(await schedule(text, dueAt));
    return posts;
  };

  expireBeforePostOf.set('Together two', account.externalId);
  let posts = await together(['Together one', 'Together two', 'Together three']);
  await allPublished(posts, 'the three posts after the renewal');
  if (expireBeforePostOf.has('Together two')) throw new Error('the access token was never refused between the posts');

  posts = await together(['Together four', 'Together one', 'Together five']);
  await allPublished(posts, 'the run with a rejected duplicate');
  if ((await postStateOf(world, posts[1]!._id)) !== 'failed') throw new Error('the duplicate was not rejected');

  await world.control.rateLimit('x', account.externalId, 5);
  posts = await together(['Together six', 'Together seven']);
  await allPublished(posts, 'the run after the rate limit');
  await disconnect(account.handle);
  return [{ name: 'x-publishing-due-together-refused-rejected-rate-limited-disconnect', handle: account.handle }];
}

/**
 * (h) X with every platform call slowed to 2 s, so messages arrive while another holds the account's
 * lock and wait their turn: a post scheduled during a publish, one unscheduled during a renewal, the
 * overdue choice made during a renewal; then a test post and a Premium check; disconnect.
 */
async function queueUpdatesWhileBusy(world: World): Promise<Recorded> {
  const account = await connectX(world, 'history_busy', { overdueDecisionMs: 60_000 });
  const schedule = poster(world, account, 'history_busy');
  const stateOf = (postId: string) => postStateOf(world, postId);
  const meanwhile = async <T>(busy: Promise<unknown>, then: () => Promise<T>): Promise<T> => {
    await sleep(500);
    const result = await then();
    await busy;
    return result;
  };
  await world.control.slowDown('x', account.externalId, 2_000);

  const first = await schedule('Busy post one', new Date(Date.now() + 1_000));
  await waitFor('the first post to be publishing', async () => (await stateOf(first._id)) === 'publishing', 30_000);
  const later = await schedule('Busy post later', new Date(Date.now() + 3_600_000));
  await waitFor('the first post', async () => (await stateOf(first._id)) === 'published', 30_000);
  const removed = await meanwhile(account.handle.executeUpdate(refreshNowUpdate), () =>
    account.handle.executeUpdate(unschedulePostUpdate, { args: [{ postId: later._id }] }),
  );
  if (!removed.removed) throw new Error('the later post was not in the queue');

  const overdue = await schedule('Busy post overdue', new Date(Date.now() + 2_000));
  await fallDueWhileExpired(world, account, overdue);
  await world.control.slowDown('x', account.externalId, 2_000);
  const at = new Date(Date.now() + 4_000).toISOString();
  await meanwhile(account.handle.executeUpdate(refreshNowUpdate), () =>
    account.handle.executeUpdate(resolveOverdueUpdate, { args: [{ choice: 'reschedule', at }] }),
  );
  await waitFor('the rescheduled post', async () => (await stateOf(overdue._id)) === 'published', 30_000);

  await world.control.clearFaults('x', account.externalId);
  const test = await schedule('Busy test post', new Date(), 'test');
  const tested = await account.handle.executeUpdate(testPostUpdate, { args: [{ postId: test._id }] });
  const premium = await account.handle.executeUpdate(checkPremiumUpdate);
  if (!premium.ok || tested.outcome !== 'published') throw new Error(`the Premium check or the test post failed: ${JSON.stringify({ premium, tested })}`);
  await disconnect(account.handle);
  return [{ name: 'x-queue-updates-while-busy-disconnect', handle: account.handle }];
}

/** (i) X with checks far apart: a post due in seconds finds a renewal just before it (the 6-second token is dead by then). */
async function renewalBeforePost(world: World): Promise<Recorded> {
  const account = await connectX(world, 'history_post_renewal', { healthCheckMs: 3_600_000 });
  const schedule = poster(world, account, 'history_post_renewal');
  const post = await schedule('History post on a fresh token', new Date(Date.now() + 10_000));
  await waitFor('the post', async () => (await postStateOf(world, post._id)) === 'published', 30_000);
  const renewals = await refreshesOf(world, 'x', account.externalId);
  if (renewals !== 1) throw new Error(`expected one renewal before the post, the platform saw ${renewals}`);
  await disconnect(account.handle);
  return [{ name: 'x-renewal-before-post-disconnect', handle: account.handle }];
}

/**
 * (j) A run that starts with a lifecycle on the legacy rules (schema 1), as one continued-as-new
 * before the `renew-by-need` patch would carry it: it migrates on its first task, then checks by need.
 */
async function migratedFromLegacy(world: World): Promise<Recorded> {
  const connected = await connectX(world, 'history_legacy');
  // The legacy run: replaced by one carrying a schema-1 lifecycle of the same credentials.
  await connected.handle.terminate('replaced by a run carrying legacy state');
  const stored = await createCredentialStore(world.db.models, world.config.tokenEncryptionKey).loadCredentials(connected.accountId);
  const expiresAt = Date.parse(stored!.credentials.accessTokenExpiresAt!);
  const now = Date.now();
  const lifecycle = startLifecycle(
    { accountId: connected.accountId, platform: 'x', config: { warningLeadMs: world.config.lifecycle.warningLeadMs }, schemaVersion: 1 },
    { now, policy: { renewal: 'rotatingRefresh' }, lifetimes: { accessSec: Math.max(1, Math.round((expiresAt - now) / 1000)) }, jitter: 0.5 },
  ).state;
  const summary = await world.client.workflow.getHandle(connected.handle.workflowId).describe();
  const handle = await world.client.workflow.start<typeof accountWorkflow>('accountWorkflow', {
    taskQueue: world.config.temporal.taskQueue,
    workflowId: connected.handle.workflowId,
    staticSummary: (await summary.staticSummary()) ?? undefined,
    args: [
      {
        accountId: connected.accountId,
        healthCheckMs: HEALTH_CHECK_MS,
        carried: {
          account: { accountId: connected.accountId, platform: 'x', handle: 'history_legacy', displayName: 'history_legacy', penNameId: world.owner.penNameId, penName: world.owner.penName, ownerId: world.owner.ownerId },
          lifecycle,
          knownVersion: stored!.version,
          projectionSequence: now,
          queue: emptyQueue(),
        },
      },
    ],
  });
  const renewed = await refreshesOf(world, 'x', connected.externalId);
  await waitFor('two checks after the migration', async () => (await refreshesOf(world, 'x', connected.externalId)) >= renewed + 2, 60_000);
  if ((await handle.query(stateQuery)).nextAction !== 'check') throw new Error('the migrated run does not check by need');
  await disconnect(handle);
  return [{ name: 'x-legacy-state-migrated-disconnect', handle }];
}

async function writeHistory(world: World, recorded: Recorded[number]): Promise<void> {
  const history = await world.client.workflow.getHandle(recorded.handle.workflowId, recorded.runId).fetchHistory();
  const json = `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`;
  const text = historyWithDecodedPayloads(json);
  const leaked = [...world.sandbox.state.tokens.tokens.keys()].filter((token) => text.includes(token));
  if (leaked.length > 0) throw new Error(`history ${recorded.name} contains ${leaked.length} token(s) the sandbox issued; not writing it`);
  if (json.length > MAX_HISTORY_BYTES) throw new Error(`history ${recorded.name} is ${json.length} bytes (limit ${MAX_HISTORY_BYTES})`);
  writeFileSync(path.join(HISTORIES_DIR, `${recorded.name}.json`), json);
  log(`wrote ${recorded.name}.json (${history.events?.length ?? 0} events, ${Math.round(json.length / 1024)} KB)`);
}

async function main(): Promise<void> {
  const environment = configFromEnvironment();
  const scratch = mkdtempSync(path.join(tmpdir(), 'tether-histories-'));
  const quiet = (name: string) => (line: string) => {
    if (/error|panic|fatal/i.test(line)) process.stderr.write(`[${name}] ${line}\n`);
  };
  Runtime.install({ logger: new DefaultLogger('ERROR') });

  let temporal: RunningTemporal | undefined;
  let database: RunningDatabase | undefined;
  let sandbox: RunningSandbox | undefined;
  const closers: Array<() => Promise<void>> = [];
  try {
    log('starting Temporal dev server and database');
    const [cli, dbServer] = await Promise.all([temporalCli({ explicitPath: environment.tools.temporalCliPath }), databaseServer()]);
    [temporal, database] = await Promise.all([
      startTemporalDevServer({ cli, port: await freePort(), namespace: 'default', onLine: quiet('temporal') }),
      startDatabaseServer({ server: dbServer, port: await freePort(), dataDir: path.join(scratch, 'db'), onLine: quiet('db') }),
    ]);
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      TETHER_DATA_DIR: path.join(scratch, 'data'),
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: 'histories',
      MONGODB_URI: `${database.uri}/histories`,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });

    const connection = await connectDatabase(config.mongo.uri);
    closers.unshift(() => connection.close());
    const db: TestDatabase = { connection, models: createModels(connection), close: () => connection.close() };
    const expireBeforePost: RequestHandler = async (req, _res, next) => {
      const text = (req.body as { text?: unknown } | undefined)?.text;
      const externalId = typeof text === 'string' && req.method === 'POST' && /\/2\/tweets$/.test(req.path) ? expireBeforePostOf.get(text) : undefined;
      if (externalId && sandbox) {
        expireBeforePostOf.delete(text as string);
        await new SandboxClient(sandbox.url).expire('x', externalId);
      }
      next();
    };
    sandbox = await startSandbox({ port: 0, before: [express.json(), expireBeforePost] });
    const control = new SandboxClient(sandbox.url);
    await control.configure({
      platformLifetimes: { x: { accessTokenSec: 6 }, bluesky: { accessTokenSec: 6 }, linkedin: { accessTokenSec: 16 } },
    });

    const clientConnection = await Connection.connect({ address: config.temporal.address });
    closers.unshift(() => clientConnection.close());
    const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
    const workerConnection = await NativeConnection.connect({ address: config.temporal.address });
    log('bundling the workflows and starting the worker');
    const workers = await createWorkers({
      connection: workerConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: lifecycleActivitiesFor(config, db, sandbox.url),
      shutdownGraceTime: '2 seconds',
    });
    const running = runWorkers(workers);
    closers.unshift(async () => {
      for (const worker of workers) worker.shutdown();
      await running;
      await workerConnection.close();
    });

    const world: World = { config, db, client, sandbox, control, owner: await createOwner(db, 'histories@example.test') };
    log('running the lifecycles (about a minute)');
    const all = {
      renewalsThenDisconnect,
      revokedThenReconnected,
      linkedinWarnedThenExpired,
      continuedAsNew,
      penNameRenamed,
      premiumAndRevokedSignal,
      blueskyRenewals,
      publishingQueue,
      publishingTogether,
      queueUpdatesWhileBusy,
      renewalBeforePost,
      migratedFromLegacy,
    };
    const chosen = process.argv.slice(2);
    const unknown = chosen.filter((name) => !(name in all));
    if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; choose from ${Object.keys(all).join(', ')}`);
    const scenarios = Object.entries(all).filter(([name]) => chosen.length === 0 || chosen.includes(name));
    const outcomes = await Promise.allSettled(scenarios.map(([, scenario]) => scenario(world)));
    const failed = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [`${scenarios[i]![0]}: ${String(outcome.reason)}`] : []));
    if (failed.length > 0) throw new Error(`scenario(s) failed:\n  ${failed.join('\n  ')}`);
    const recorded = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? outcome.value : []));

    mkdirSync(HISTORIES_DIR, { recursive: true });
    for (const entry of recorded) await writeHistory(world, entry);
    log(`recorded ${recorded.length} histories in ${path.relative(repoRoot, HISTORIES_DIR)}`);
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    await sandbox?.close();
    await Promise.all([temporal?.process.stop(), database?.process.stop()]);
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`recording failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
