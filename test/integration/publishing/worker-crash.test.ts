import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxClient } from '../../../sandbox/client.js';
import { startSandbox } from '../../../sandbox/server.js';
import { openDatabase, temporalClient, testConfig, uniqueName, type TestDatabase } from '../../helpers/integration.js';
import { connectThroughSandbox, createOwner, waitFor, type Owner } from '../../helpers/lifecycle.js';
import { removeWorkerLeftovers, spawnWorkerProcess, testWorkerEnvironment, waitUntilPolling, type WorkerProcess } from '../../helpers/worker-process.js';
import type { PostMedia } from '../../../db/models/post.js';
import { storeSample } from '../../../services/media/intake.js';
import { fixturePath } from '../platforms/media-fixtures.js';
import { schedulePosts, workflowTarget } from './support.js';

// The production worker process SIGKILLed while posts are being published: some kills land after
// the platform accepted a post but before the worker heard back. Every post must still appear on
// the platform exactly once; the retried call carries the same idempotency key and gets the
// original post back. With media, kills also land between the upload and the post: the retry
// reuses the recorded upload (or uploads again when the kill swallowed the upload's answer), and
// still publishes one post with one image.

const TWEET = /\/2\/tweets$/;
const MEDIA_FINALIZE = /\/2\/media\/upload\/\d+\/finalize$/;
const KILL_AT_REQUESTS = new Set([3, 9]);

interface Scenario {
  /** The requests the slow network counts (and kills at). */
  requests: RegExp;
}

describe('worker process killed with SIGKILL while publishing', () => {
  const encryptionKey = randomBytes(32).toString('base64');
  const config = testConfig({ TOKEN_ENCRYPTION_KEY: encryptionKey });
  const temporalTarget = { address: config.temporal.address, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue };
  let db: TestDatabase;
  let sandbox: Awaited<ReturnType<typeof startSandbox>> & { control: SandboxClient };
  let temporal: { client: Client; close(): Promise<void> };
  let owner: Owner;
  let worker: WorkerProcess | undefined;
  let scenario: Scenario = { requests: TWEET };
  let publishRequests = 0;
  let killsAtPlatform = 0;
  /** Set once the current worker polls; a request still in flight from a killed worker must not kill its successor while it starts. */
  let workerReady = false;
  const accountIds: string[] = [];

  const startWorker = async () => {
    worker = spawnWorkerProcess(testWorkerEnvironment(config, { sandboxUrl: sandbox.url, encryptionKey }));
    await waitUntilPolling(worker, temporalTarget);
    workerReady = true;
  };

  // A slow network in front of the platform. At chosen requests the worker dies while its request
  // is on the way: the platform still receives and stores the post, nobody hears the answer.
  const killingNetwork: RequestHandler = async (req, _res, next) => {
    if (req.method !== 'POST' || !scenario.requests.test(req.path)) return next();
    const sentWhileReady = workerReady;
    if (sentWhileReady) publishRequests += 1;
    const number = publishRequests;
    await sleep(randomInt(100, 600));
    if (sentWhileReady && workerReady && KILL_AT_REQUESTS.has(number) && worker) {
      workerReady = false;
      worker.killNow();
      killsAtPlatform += 1;
    }
    next();
  };

  beforeAll(async () => {
    db = await openDatabase(config);
    const started = await startSandbox({ port: 0, before: [killingNetwork] });
    sandbox = { ...started, control: new SandboxClient(started.url) };
    temporal = await temporalClient(config);
    owner = await createOwner(db);
    await startWorker();
  }, 240_000);

  afterAll(async () => {
    await worker?.kill();
    if (temporal) await removeWorkerLeftovers(temporal.client, config.temporal.taskQueue, accountIds);
    await temporal?.close();
    await sandbox?.close();
    await db?.close();
  });

  /** Three X accounts with five posts each, due at once; the worker is killed at the 3rd and 9th counted request and restarted. */
  const publishThroughKills = async (label: string, media?: PostMedia[]) => {
    publishRequests = 0;
    killsAtPlatform = 0;
    const suffix = uniqueName('p').slice(2, 8);
    const accounts: Array<{ accountId: string; externalId: string }> = [];
    for (let i = 0; i < 3; i++) {
      const handle = `${label}${i}_${suffix}`;
      const connected = await connectThroughSandbox({ config, db, client: temporal.client, sandboxUrl: sandbox.url, owner, platform: 'x', handle });
      accounts.push({ accountId: connected.accountId, externalId: connected.externalId });
      accountIds.push(connected.accountId);
    }
    const dueAt = new Date(Date.now() + 3_000);
    const postIds: string[] = [];
    for (const [index, account] of accounts.entries()) {
      const scheduled = await schedulePosts({
        db,
        workflows: workflowTarget(temporal.client, config.temporal.taskQueue),
        owner,
        account: { accountId: account.accountId, platform: 'x' },
        posts: [1, 2, 3, 4, 5].map((n) => ({ text: `Account ${index} post ${n} (${suffix})`, publishAt: dueAt, ...(media ? { media } : {}) })),
      });
      postIds.push(...scheduled.map(({ post }) => post._id));
    }

    // Restart the worker after each kill, until every post is out.
    const restarts = (async () => {
      for (let restarted = 0; restarted < KILL_AT_REQUESTS.size; restarted++) {
        await waitFor('the next kill', async () => killsAtPlatform > restarted, 120_000);
        await worker!.exited;
        await startWorker();
      }
    })();
    const targets = await waitFor(
      'all fifteen posts published',
      async () => {
        const found = await db.models.PostTarget.find({ postId: { $in: postIds } }).lean();
        return found.length === postIds.length && found.every((target) => target.state === 'published') ? found : undefined;
      },
      240_000,
    );
    await restarts;

    expect(killsAtPlatform).toBe(KILL_AT_REQUESTS.size);
    const onPlatform = (await Promise.all(accounts.map((account) => sandbox.control.posts({ platform: 'x', externalId: account.externalId })))).flat();
    expect(onPlatform).toHaveLength(postIds.length);
    expect(new Set(onPlatform.map((post) => post.text)).size).toBe(postIds.length);
    expect(new Set(targets.map((target) => target.url))).toEqual(new Set(onPlatform.map((post) => post.url)));
    const counters = await Promise.all(accounts.map((account) => sandbox.control.counters({ platform: 'x', externalId: account.externalId })));
    for (const counted of counters) {
      expect(counted.publishDuplicates).toBe(0);
      // Only a call whose answer a kill swallowed is sent again, and the platform answers it with the original.
      expect(counted.publishAttempts).toBe(5 + counted.publishReplays);
    }
    return { targets, onPlatform, counters };
  };

  it('publishes every post exactly once across kills and restarts', { timeout: 300_000 }, async () => {
    scenario = { requests: TWEET };
    const { counters } = await publishThroughKills('publisher');
    const replays = counters.reduce((sum, counted) => sum + counted.publishReplays, 0);
    // Each kill swallows the answer it was timed for, and possibly the answer of another account's
    // publish in flight at that moment; an account publishes one post at a time, so at most one per account.
    expect(replays).toBeGreaterThanOrEqual(killsAtPlatform);
    expect(replays).toBeLessThanOrEqual(killsAtPlatform * 3);
  });

  it('with an image, kills between the upload and the post still give one post with one image each', { timeout: 300_000 }, async () => {
    scenario = { requests: MEDIA_FINALIZE };
    const image = await storeSample(db.models, fixturePath('mandelbrot.jpg'), new Date());
    const { targets, onPlatform, counters } = await publishThroughKills('uploader', [{ ...image, alt: 'A Mandelbrot set' }]);
    expect(onPlatform.every((post) => post.imageUrls.length === 1)).toBe(true);
    // Every target recorded its upload, and a retry reused it: an upload is sent again only when a
    // kill swallowed the answer of the one before, so there are at most two uploads more than posts.
    const uploads = counters.reduce((sum, counted) => sum + (counted.calls['POST api.x.com/2/media/upload/initialize'] ?? 0), 0);
    expect(uploads).toBeGreaterThanOrEqual(targets.length);
    expect(uploads).toBeLessThanOrEqual(targets.length + killsAtPlatform * 3);
    const recorded = await db.models.MediaUpload.find({ targetId: { $in: targets.map((target) => target._id) } }).lean();
    expect(recorded.filter((upload) => upload._id.endsWith(`|${image.mediaId}|x-media`))).toHaveLength(targets.length);
  });
});
