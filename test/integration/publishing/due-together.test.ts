import express, { type RequestHandler } from 'express';
import { describe, expect, it } from 'vitest';
import { accountWorkflowId } from '../../../workflows/account/messages.js';
import { targetIdOf } from '../../../db/models/post-target.js';
import { useLifecycleWorld, waitFor } from '../../helpers/lifecycle.js';
import { schedulePosts, workflowTarget } from './support.js';

// Posts of one account due together go out in one activity, in queue order, on real servers. X
// refuses the token at the second post (its access token dies between two posts): the first post
// stays published, the workflow renews the token, and the next activity publishes the rest — every
// post exactly once, in order, each target with its own claim and outcome.

const TWEET = /\/2\/tweets$/;

describe('posts due together', () => {
  /** Post text → X account whose access token dies just before the platform first sees that post. */
  const expireBeforePostOf = new Map<string, string>();
  const expireBeforePost: RequestHandler = async (req, _res, next) => {
    const text = (req.body as { text?: unknown } | undefined)?.text;
    const externalId = typeof text === 'string' && req.method === 'POST' && TWEET.test(req.path) ? expireBeforePostOf.get(text) : undefined;
    if (externalId) {
      expireBeforePostOf.delete(text as string);
      await world.sandbox.control.expire('x', externalId);
    }
    next();
  };
  const world = useLifecycleWorld({ sandboxBefore: [express.json(), expireBeforePost] });

  /** The post ids each publish activity of the account's workflow was given, in order. */
  const publishActivities = async (accountId: string) => {
    const history = await world.client.workflow.getHandle(accountWorkflowId(accountId)).fetchHistory();
    return (history.events ?? []).flatMap((event) => {
      const scheduled = event.activityTaskScheduledEventAttributes;
      const name = scheduled?.activityType?.name;
      if (name !== 'publishDuePosts' && name !== 'publishPost') return [];
      const input = JSON.parse(Buffer.from(scheduled!.input!.payloads![0]!.data!).toString('utf8')) as { postId?: string; postIds?: string[] };
      return [{ name, postIds: input.postIds ?? [input.postId!] }];
    });
  };

  it('a token refused at the second post: renewed, and the rest published in order, each exactly once', { timeout: 90_000 }, async () => {
    const account = await world.connect({ platform: 'x', handle: 'due_together' });
    const refreshesBefore = (await world.sandbox.control.counters({ platform: 'x', externalId: account.externalId })).refreshes;
    expireBeforePostOf.set('Due together 2', account.externalId);
    const dueAt = new Date(Date.now() + 5_000);
    const scheduled = await schedulePosts({
      db: world.db,
      workflows: workflowTarget(world.client, world.config.temporal.taskQueue),
      owner: world.owner,
      account: { accountId: account.accountId, platform: 'x' },
      posts: [1, 2, 3].map((n) => ({ text: `Due together ${n}`, publishAt: dueAt })),
    });
    const postIds = scheduled.map(({ post }) => post._id);
    const targets = await waitFor('all three published', async () => {
      const found = await Promise.all(postIds.map((postId) => world.db.models.PostTarget.findById(targetIdOf(postId, account.accountId)).lean()));
      return found.every((target) => target?.state === 'published') ? found.map((target) => target!) : undefined;
    }, 60_000);
    expect(expireBeforePostOf.size).toBe(0);

    const onPlatform = await world.sandbox.control.posts({ platform: 'x', externalId: account.externalId });
    expect(onPlatform.map((post) => post.text)).toEqual(['Due together 1', 'Due together 2', 'Due together 3']);
    expect(targets.map((target) => target.url)).toEqual(onPlatform.map((post) => post.url));
    // The second post was tried twice (refused, then published), the others once.
    expect(targets.map((target) => target.attempts)).toEqual([1, 2, 1]);
    const counters = await world.sandbox.control.counters({ platform: 'x', externalId: account.externalId });
    expect(counters.publishDuplicates).toBe(0);
    expect(counters.refreshes).toBeGreaterThan(refreshesBefore);
    expect(counters.refreshTokenReuse).toBe(0);
    expect(await publishActivities(account.accountId)).toEqual([
      { name: 'publishDuePosts', postIds },
      { name: 'publishDuePosts', postIds: postIds.slice(1) },
    ]);
    // Each post's outcome is on the timeline once: two published, and the refusal of the second one as a wait.
    const events = await world.db.models.AccountEvent.find({ accountId: account.accountId, postId: { $in: postIds } }).lean();
    expect(events.map((event) => `${event.postId === postIds[1] ? 2 : event.postId === postIds[0] ? 1 : 3}:${event.kind}`).sort()).toEqual([
      '1:postPublished',
      '2:postPublished',
      '2:postWaiting',
      '3:postPublished',
    ]);
  });
});
