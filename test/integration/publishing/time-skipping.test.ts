import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetIdOf } from '../../../db/models/post-target.js';
import { accountWorkflowId, stateQuery } from '../../../workflows/account/messages.js';
import { connectThroughSandbox, createOwner, waitFor, type Owner } from '../../helpers/lifecycle.js';
import { DAY_MS, startTimeSkippingStack, type TimeSkippingStack } from '../../helpers/time-skipping.js';
import { schedulePosts, workflowTarget } from './support.js';

// A post scheduled days ahead on a token that dies before it is due, on Temporal's time-skipping
// server: it waits through the expiry, and goes out after the reconnect once the overdue hold ends.

describe('a scheduled post across a token expiry, in simulated days', () => {
  let stack: TimeSkippingStack;
  let owner: Owner;
  const HOLD_MS = 10 * 60_000;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    owner = await createOwner(stack.db);
    // LinkedIn without partner refresh: nothing can renew the token, so it dies on day 5.
    await stack.sandbox.control.configure({ platformLifetimes: { linkedin: { accessTokenSec: 5 * 24 * 3600 } } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const skipTo = async (at: number) => {
    const now = await stack.now();
    if (at > now) await stack.env.sleep(at - now);
  };

  it('waits from day 10 for the day-12 reconnect and publishes once after the overdue hold', { timeout: 120_000 }, async () => {
    const connect = (who: { handle: string } | { identity: string }) =>
      connectThroughSandbox({
        config: stack.config,
        db: stack.db,
        client: stack.env.client,
        sandboxUrl: stack.sandbox.url,
        owner,
        platform: 'linkedin',
        ...who,
        workflowDefaults: { overdueDecisionMs: HOLD_MS },
      });
    const start = await stack.now();
    const account = await connect({ handle: 'five_day_token' });
    const [scheduled] = await schedulePosts({
      db: stack.db,
      workflows: workflowTarget(stack.env.client, stack.config.temporal.taskQueue),
      owner,
      account: { accountId: account.accountId, platform: 'linkedin' },
      posts: [{ text: 'Ten days ahead', publishAt: new Date(start + 10 * DAY_MS) }],
    });
    expect(scheduled?.answer).toMatchObject({ queued: true, result: { position: 1 } });
    const targetId = targetIdOf(scheduled!.post._id, account.accountId);
    const handle = stack.env.client.workflow.getHandle(accountWorkflowId(account.accountId));

    await skipTo(start + 6 * DAY_MS);
    await waitFor('expired on day 5', async () => (await handle.query(stateQuery)).status === 'expired');

    await skipTo(start + 11 * DAY_MS);
    expect((await stack.db.models.PostTarget.findById(targetId).lean())?.state).toBe('scheduled');
    expect(await stack.sandbox.control.posts({ platform: 'linkedin', externalId: account.externalId })).toEqual([]);

    await skipTo(start + 12 * DAY_MS);
    const reconnected = await connect({ identity: account.externalId });
    expect(reconnected.result).toMatchObject({ accepted: true, state: { status: 'active', queue: { queued: 1 } } });
    expect(reconnected.result.state.queue.overdue?.postIds).toEqual([scheduled!.post._id]);
    const decideBy = Date.parse(reconnected.result.state.queue.overdue!.decideBy);
    expect(decideBy - (start + 12 * DAY_MS)).toBeGreaterThanOrEqual(HOLD_MS);

    await skipTo(decideBy + 60_000);
    const published = await waitFor('published after the hold', async () => {
      const target = await stack.db.models.PostTarget.findById(targetId).lean();
      return target?.state === 'published' ? target : undefined;
    });
    expect(published.publishedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const onPlatform = await stack.sandbox.control.posts({ platform: 'linkedin', externalId: account.externalId });
    expect(onPlatform.map((post) => post.text)).toEqual(['Ten days ahead']);
    expect((await stack.sandbox.control.counters({ platform: 'linkedin', externalId: account.externalId })).publishDuplicates).toBe(0);
  });
});
