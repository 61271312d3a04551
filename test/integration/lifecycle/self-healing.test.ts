import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { restartAccountWorkflow, type ReconcileReport } from '../../../activities/reconcile.js';
import { requireAccount } from '../../../activities/lifecycle/deps.js';
import { summaryOf } from '../../../activities/lifecycle/status.js';
import { AccountWorkflowClient } from '../../../services/account-workflows/client.js';
import { ensureReconcileSchedule, reconcileScheduleId } from '../../../worker/reconcile-schedule.js';
import { accountWorkflowId, stateQuery } from '../../../workflows/account/messages.js';
import { reconcileAccountsWorkflow } from '../../../workflows/reconcile.js';
import { targetIdOf } from '../../../db/models/post-target.js';
import { createPost } from '../../../db/posts.js';
import { schedulePosts } from '../publishing/support.js';
import { useLifecycleWorld, waitFor } from '../../helpers/lifecycle.js';

// Self-healing on the real dev server: every connected account in MongoDB gets its workflow back,
// running account workflows without a connected account are reported, and the schedule that runs
// this is created once.

describe('self-healing of account workflows', () => {
  const world = useLifecycleWorld({ activities: ({ client, config }) => ({ workflows: { client, taskQueue: config.temporal.taskQueue } }) });
  const taskQueue = world.config.temporal.taskQueue;

  const connect = async (handle: string) => {
    const connection = await world.connect({ platform: 'x', handle });
    expect(connection.result).toMatchObject({ accepted: true, state: { status: 'active' } });
    return connection;
  };
  const handleOf = (accountId: string) => world.client.workflow.getHandle(accountWorkflowId(accountId));
  // Reconcile trusts the (eventually consistent) visibility list: wait until it no longer lists the
  // terminated run as running, as it will long before the next scheduled pass.
  const leftVisibility = (accountId: string) =>
    waitFor('the terminated run to leave the running list', async () => {
      const query = `WorkflowId = '${accountWorkflowId(accountId)}' AND ExecutionStatus = 'Running'`;
      const listed: string[] = [];
      for await (const execution of world.client.workflow.list({ query })) listed.push(execution.runId);
      return listed.length === 0;
    });
  /** A connected account holding one scheduled post, whose workflow (and the queue with it) is then lost. */
  const lostWithAHeldPost = async (handle: string) => {
    const lost = await connect(handle);
    const [held] = await schedulePosts({
      db: world.db,
      workflows: { client: world.client, taskQueue },
      owner: world.owner,
      account: { accountId: lost.accountId, platform: 'x' },
      posts: [{ text: 'Held by the lost run', publishAt: new Date(Date.now() + 24 * 3600_000) }],
    });
    expect((await handleOf(lost.accountId).query(stateQuery)).queue.queued).toBe(1);
    await handleOf(lost.accountId).terminate('test: the workflow and its queue are lost');
    await leftVisibility(lost.accountId);
    return { lost, held: held! };
  };
  const reconcile = (): Promise<ReconcileReport> =>
    world.client.workflow.execute(reconcileAccountsWorkflow, { taskQueue, workflowId: `reconcile-test-${randomUUID()}` });

  it('restarts a connected account whose workflow is gone, leaves running ones alone, and reports orphans', { timeout: 90_000 }, async () => {
    const lost = await connect('lost_workflow');
    const healthy = await connect('healthy_workflow');
    const healthyRun = (await handleOf(healthy.accountId).describe()).runId;
    const lostRun = (await handleOf(lost.accountId).describe()).runId;

    await handleOf(lost.accountId).terminate('test: the workflow is lost');
    expect((await handleOf(lost.accountId).describe()).status.name).toBe('TERMINATED');
    await leftVisibility(lost.accountId);

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
    await world.db.models.Account.updateOne({ _id: healthy.accountId }, { $set: { disconnectedAt: new Date() } });
    const orphaned = await waitFor('the orphan to be reported', async () => {
      const next = await reconcile();
      return next.orphans.length > 0 ? next : undefined;
    }, 30_000);
    expect(orphaned).toEqual({ checked: 1, started: [], orphans: [accountWorkflowId(healthy.accountId)], requeuedPosts: 0 });
    expect((await handleOf(healthy.accountId).describe()).runId).toBe(healthyRun);
  });

  it('queues again the posts a lost workflow held, and posts that never reached a workflow or never got their targets', { timeout: 90_000 }, async () => {
    const { lost, held } = await lostWithAHeldPost('lost_with_posts');
    const running = await connect('never_handed_a_post');
    // The user had moved it (an overdue post rescheduled): its target, not the post, holds the time.
    const movedTo = new Date(Date.now() + 48 * 3600_000);
    await world.db.models.PostTarget.updateOne({ _id: targetIdOf(held.post._id, lost.accountId) }, { $set: { dueAt: movedTo } });

    // Stored, but the process died before handing it to the workflow.
    const stranded = await createPost(
      world.db.models,
      { ...world.owner, kind: 'scheduled', text: 'Never queued', timeZone: 'UTC', publishAt: new Date(Date.now() + 24 * 3600_000), targets: [{ accountId: running.accountId, platform: 'x', handle: 'never_handed_a_post' }] },
      new Date(Date.now() - 5 * 60_000),
    );
    const strandedTarget = targetIdOf(stranded._id, running.accountId);
    expect((await world.db.models.Post.findById(stranded._id).lean())?.targetsPending).toBeUndefined();
    // Stored, but the process died before writing its targets.
    const unfinished = { ...stranded, _id: randomUUID(), text: 'Targets never written', targetsPending: true };
    await world.db.models.Post.create(unfinished);
    const unfinishedTarget = targetIdOf(unfinished._id, running.accountId);

    const report = await reconcile();
    expect(report.started).toContain(lost.accountId);
    expect(report.requeuedPosts).toBe(3);
    await waitFor('the restarted workflow to be active', async () => (await handleOf(lost.accountId).query(stateQuery)).status === 'active');
    expect((await handleOf(lost.accountId).query(stateQuery)).queue).toMatchObject({ queued: 1, nextPublishAt: movedTo.toISOString() });
    expect((await handleOf(running.accountId).query(stateQuery)).queue.queued).toBe(2);
    expect((await world.db.models.PostTarget.findById(strandedTarget).lean())?.queuedAt).toBeInstanceOf(Date);
    expect(await world.db.models.PostTarget.findById(unfinishedTarget).lean()).toMatchObject({ state: 'scheduled', dueAt: unfinished.publishAt, queuedAt: expect.any(Date) });
    expect((await world.db.models.Post.findById(unfinished._id).lean())?.targetsPending).toBeUndefined();
    expect((await world.db.models.PostTarget.findById(targetIdOf(held.post._id, lost.accountId)).lean())?.state).toBe('scheduled');

    // Queued posts are left alone on the next pass.
    expect((await reconcile()).requeuedPosts).toBe(0);
  });

  it('a pass that died right after starting a workflow: the next pass hands the lost run\'s posts to the new run', { timeout: 90_000 }, async () => {
    const { lost, held } = await lostWithAHeldPost('lost_then_pass_died');

    // What a pass does for a missing workflow, then the process died before it queued any post.
    const describeAccount = async (accountId: string) => summaryOf(world.db.models, await requireAccount(world.db.models, accountId));
    expect(await restartAccountWorkflow({ models: world.db.models, describeAccount }, new AccountWorkflowClient({ client: world.client, taskQueue }), lost.accountId)).toBe('started');
    await waitFor('the restarted workflow to be active', async () => (await handleOf(lost.accountId).query(stateQuery)).status === 'active');
    expect((await handleOf(lost.accountId).query(stateQuery)).queue.queued).toBe(0);

    // The next pass finds the workflow running, and still hands it the post its lost run held.
    const report = await reconcile();
    expect(report).toMatchObject({ started: [], requeuedPosts: 1 });
    expect((await handleOf(lost.accountId).query(stateQuery)).queue).toMatchObject({ queued: 1, nextPublishAt: held.post.publishAt.toISOString() });
    // Handed over once: the pass after has nothing to queue.
    expect((await reconcile()).requeuedPosts).toBe(0);
  });

  it('sweeps token-request slots that started over an hour ago, and keeps the recent ones', async () => {
    const { RenewalSlot } = world.db.models;
    await RenewalSlot.create([
      { _id: 'x:1', at: new Date(Date.now() - 2 * 3600_000) },
      { _id: 'x:2', at: new Date(Date.now() - 60_000) },
    ]);
    await reconcile();
    expect((await RenewalSlot.find({ _id: { $in: ['x:1', 'x:2'] } }).lean()).map((slot) => slot._id)).toEqual(['x:2']);
  });

  it('creates the reconcile schedule once, with its interval, and keeps it on later starts', { timeout: 30_000 }, async () => {
    const scheduleId = reconcileScheduleId(taskQueue);
    try {
      await ensureReconcileSchedule(world.client, taskQueue, '7 minutes');
      // A second start (another worker, a restart) keeps the existing schedule as it is.
      await expect(ensureReconcileSchedule(world.client, taskQueue, '9 minutes')).resolves.toBeUndefined();

      const schedule = await world.client.schedule.getHandle(scheduleId).describe();
      expect(schedule.spec.intervals).toEqual([expect.objectContaining({ every: 7 * 60_000 })]);
      expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconcileAccountsWorkflow', taskQueue });
    } finally {
      await world.client.schedule.getHandle(scheduleId).delete().catch(() => undefined);
    }
  });
});
