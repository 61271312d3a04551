import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { ReconcileReport } from '../../../activities/reconcile.js';
import { ensureReconcileSchedule, RECONCILE_SCHEDULE_ID } from '../../../worker/reconcile-schedule.js';
import { accountWorkflowId, stateQuery } from '../../../workflows/account/messages.js';
import { reconcileAccountsWorkflow } from '../../../workflows/reconcile.js';
import { targetIdOf } from '../../../db/models/post-target.js';
import { createPost } from '../../../db/posts.js';
import { schedulePosts } from '../publishing/support.js';
import { openDatabase, startWorker, temporalClient, testConfig, type RunningWorker, type TestDatabase } from '../../helpers/integration.js';
import { connectThroughSandbox, createOwner, lifecycleActivitiesFor, openSandbox, waitFor, type Owner, type Sandbox } from '../../helpers/lifecycle.js';

// Self-healing on the real dev server: every connected account in MongoDB gets its workflow back,
// running account workflows without a connected account are reported, and the schedule that runs
// this is created once.

describe('self-healing of account workflows', () => {
  const config = testConfig();
  const taskQueue = config.temporal.taskQueue;
  let db: TestDatabase;
  let sandbox: Sandbox;
  let temporal: { client: Client; close(): Promise<void> };
  let worker: RunningWorker;
  let owner: Owner;

  beforeAll(async () => {
    db = await openDatabase(config);
    sandbox = await openSandbox();
    temporal = await temporalClient(config);
    worker = await startWorker(config, lifecycleActivitiesFor(config, db, sandbox.url, { workflows: { client: temporal.client, taskQueue } }));
    owner = await createOwner(db);
  });
  afterAll(async () => {
    await worker?.stop();
    await temporal?.close();
    await sandbox?.close();
    await db?.close();
  });

  const connect = async (handle: string) => {
    const identity = await sandbox.control.createIdentity({ platform: 'x', handle });
    const connection = await connectThroughSandbox({ config, db, client: temporal.client, sandboxUrl: sandbox.url, owner, platform: 'x', identity: identity.id });
    expect(connection.result).toMatchObject({ accepted: true, state: { status: 'active' } });
    return connection;
  };
  const handleOf = (accountId: string) => temporal.client.workflow.getHandle(accountWorkflowId(accountId));
  const reconcile = (): Promise<ReconcileReport> =>
    temporal.client.workflow.execute(reconcileAccountsWorkflow, { taskQueue, workflowId: `reconcile-test-${randomUUID()}` });

  it('restarts a connected account whose workflow is gone, leaves running ones alone, and reports orphans', { timeout: 90_000 }, async () => {
    const lost = await connect('lost_workflow');
    const healthy = await connect('healthy_workflow');
    const healthyRun = (await handleOf(healthy.accountId).describe()).runId;
    const lostRun = (await handleOf(lost.accountId).describe()).runId;

    await handleOf(lost.accountId).terminate('test: the workflow is lost');
    expect((await handleOf(lost.accountId).describe()).status.name).toBe('TERMINATED');

    const report = await reconcile();
    expect(report).toEqual({ checked: 2, started: [lost.accountId], orphans: [], requeuedPosts: 0 });

    const restarted = await handleOf(lost.accountId).describe();
    expect(restarted.status.name).toBe('RUNNING');
    expect(restarted.runId).not.toBe(lostRun);
    // The new run takes the stored credentials and carries on.
    await waitFor('the restarted workflow to be active', async () => (await handleOf(lost.accountId).query(stateQuery)).status === 'active');

    const untouched = await handleOf(healthy.accountId).describe();
    expect(untouched.status.name).toBe('RUNNING');
    expect(untouched.runId).toBe(healthyRun);

    // A second pass has nothing to start.
    expect((await reconcile()).started).toEqual([]);

    // An account marked disconnected in MongoDB whose workflow still runs is an orphan.
    await db.models.Account.updateOne({ _id: healthy.accountId }, { $set: { disconnectedAt: new Date() } });
    const orphaned = await waitFor('the orphan to be reported', async () => {
      const next = await reconcile();
      return next.orphans.length > 0 ? next : undefined;
    }, 30_000);
    expect(orphaned).toEqual({ checked: 1, started: [], orphans: [accountWorkflowId(healthy.accountId)], requeuedPosts: 0 });
    expect((await handleOf(healthy.accountId).describe()).runId).toBe(healthyRun);
  });

  it('queues again the posts a lost workflow held, and posts that never reached a workflow or never got their targets', { timeout: 90_000 }, async () => {
    const lost = await connect('lost_with_posts');
    const running = await connect('never_handed_a_post');
    const workflows = { client: temporal.client, taskQueue };
    const [held] = await schedulePosts({
      db,
      workflows,
      owner,
      account: { accountId: lost.accountId, platform: 'x' },
      posts: [{ text: 'Held by the lost run', publishAt: new Date(Date.now() + 24 * 3600_000) }],
    });
    expect((await handleOf(lost.accountId).query(stateQuery)).queue.queued).toBe(1);
    await handleOf(lost.accountId).terminate('test: the workflow and its queue are lost');

    // Stored, but the process died before handing it to the workflow.
    const stranded = await createPost(
      db.models,
      { ...owner, kind: 'scheduled', text: 'Never queued', timeZone: 'UTC', publishAt: new Date(Date.now() + 24 * 3600_000), targets: [{ accountId: running.accountId, platform: 'x', handle: 'never_handed_a_post' }] },
      new Date(Date.now() - 5 * 60_000),
    );
    const strandedTarget = targetIdOf(stranded._id, running.accountId);
    expect((await db.models.Post.findById(stranded._id).lean())?.targetsPending).toBeUndefined();
    // Stored, but the process died before writing its targets.
    const unfinished = { ...stranded, _id: randomUUID(), text: 'Targets never written', targetsPending: true };
    await db.models.Post.create(unfinished);
    const unfinishedTarget = targetIdOf(unfinished._id, running.accountId);

    const report = await reconcile();
    expect(report.started).toContain(lost.accountId);
    expect(report.requeuedPosts).toBe(3);
    await waitFor('the restarted workflow to be active', async () => (await handleOf(lost.accountId).query(stateQuery)).status === 'active');
    expect((await handleOf(lost.accountId).query(stateQuery)).queue.queued).toBe(1);
    expect((await handleOf(running.accountId).query(stateQuery)).queue.queued).toBe(2);
    expect((await db.models.PostTarget.findById(strandedTarget).lean())?.queuedAt).toBeInstanceOf(Date);
    expect(await db.models.PostTarget.findById(unfinishedTarget).lean()).toMatchObject({ state: 'scheduled', dueAt: unfinished.publishAt, queuedAt: expect.any(Date) });
    expect((await db.models.Post.findById(unfinished._id).lean())?.targetsPending).toBeUndefined();
    expect((await db.models.PostTarget.findById(targetIdOf(held!.post._id, lost.accountId)).lean())?.state).toBe('scheduled');

    // Queued posts are left alone on the next pass.
    expect((await reconcile()).requeuedPosts).toBe(0);
  });

  it('creates the reconcile schedule once, with its interval, and keeps it on later starts', { timeout: 30_000 }, async () => {
    const scheduleId = `${RECONCILE_SCHEDULE_ID}:${taskQueue}`;
    try {
      await ensureReconcileSchedule(temporal.client, taskQueue, '7 minutes');
      // A second start (another worker, a restart) keeps the existing schedule as it is.
      await expect(ensureReconcileSchedule(temporal.client, taskQueue, '9 minutes')).resolves.toBeUndefined();

      const schedule = await temporal.client.schedule.getHandle(scheduleId).describe();
      expect(schedule.spec.intervals).toEqual([expect.objectContaining({ every: 7 * 60_000 })]);
      expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconcileAccountsWorkflow', taskQueue });
    } finally {
      await temporal.client.schedule.getHandle(scheduleId).delete().catch(() => undefined);
    }
  });
});
