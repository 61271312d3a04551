import type { Worker } from '@temporalio/worker';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createWorkers, runWorkers } from '../../../worker/create-worker.js';
import { accountWorkflowId, refreshNowUpdate } from '../../../workflows/account/messages.js';
import { openDatabase, temporalClient, testConfig, type TestDatabase } from '../../helpers/integration.js';
import { connectThroughSandbox, createOwner, lifecycleActivitiesFor, openSandbox, type Owner, type Sandbox } from '../../helpers/lifecycle.js';

// TEMPORAL_MAX_CACHED_WORKFLOWS bounds what a worker keeps in memory: with a cache of two, four
// connected accounts leave at most two cached, and the evicted ones still renew when asked
// (their workflows are replayed from history).

describe('the worker workflow cache', () => {
  const config = testConfig({ TEMPORAL_MAX_CACHED_WORKFLOWS: '2' });
  let db: TestDatabase;
  let sandbox: Sandbox;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  let connection: NativeConnection;
  let workers: Worker[];
  let running: Promise<void>;
  let owner: Owner;

  beforeAll(async () => {
    db = await openDatabase(config);
    sandbox = await openSandbox();
    temporal = await temporalClient(config);
    connection = await NativeConnection.connect({ address: config.temporal.address });
    workers = await createWorkers({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: lifecycleActivitiesFor(config, db, sandbox.url),
      workflowBundle: { codePath: inject('workflowBundlePath') },
      shutdownGraceTime: '2 seconds',
      maxCachedWorkflows: config.temporal.maxCachedWorkflows,
    });
    running = runWorkers(workers);
    owner = await createOwner(db);
  });
  afterAll(async () => {
    for (const worker of workers ?? []) worker.shutdown();
    await running;
    await connection?.close();
    await temporal?.close();
    await sandbox?.close();
    await db?.close();
  });

  const cached = () => workers[0]!.getStatus().numCachedWorkflows;

  it('keeps at most the configured number of account workflows, and evicted ones still answer', { timeout: 90_000 }, async () => {
    const accounts = [];
    for (const handle of ['cache_one', 'cache_two', 'cache_three', 'cache_four']) {
      const connected = await connectThroughSandbox({ config, db, client: temporal.client, sandboxUrl: sandbox.url, owner, platform: 'x', handle });
      expect(connected.result).toMatchObject({ accepted: true, state: { status: 'active' } });
      accounts.push(connected);
      expect(cached()).toBeLessThanOrEqual(2);
    }
    expect(cached()).toBeGreaterThan(0);

    for (const account of accounts) {
      const answer = await temporal.client.workflow.getHandle(accountWorkflowId(account.accountId)).executeUpdate(refreshNowUpdate);
      expect(answer.outcome).toMatchObject({ kind: 'renewed', validUntil: expect.any(String) });
      expect(cached()).toBeLessThanOrEqual(2);
    }
    for (const account of accounts) {
      const counters = await sandbox.control.counters({ platform: 'x', externalId: account.externalId });
      expect(counters.refreshes).toBe(1);
      expect(counters.refreshTokenReuse).toBe(0);
    }
  });
});
