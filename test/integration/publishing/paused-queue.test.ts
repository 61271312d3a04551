import { describe, expect, it } from 'vitest';
import { targetIdOf } from '../../../db/models/post-target.js';
import type { PlatformId } from '../../../platforms/types.js';
import { accountWorkflowId, resolveOverdueUpdate, stateQuery } from '../../../workflows/account/messages.js';
import { useLifecycleWorld, waitFor } from '../../helpers/lifecycle.js';
import { schedulePosts, workflowTarget } from './support.js';

// The publishing queue on real servers: posts wait (never fail) while the account is expired and go
// out exactly once, in order, after the reconnect; rate limits wait; rejections fail one target.

describe('publishing queue on the dev server', () => {
  // Short-lived tokens: the workflow notices a revocation at its next renewal, within seconds.
  const world = useLifecycleWorld({ sandboxSettings: { platformLifetimes: { x: { accessTokenSec: 6 } } } });

  const connect = (handle: string, overdueDecisionMs: number, identity?: string) =>
    world.connect({ platform: 'x', identity, handle, workflowDefaults: { overdueDecisionMs } });
  const targetsOf = (postIds: string[], accountId: string) =>
    Promise.all(postIds.map(async (postId) => (await world.db.models.PostTarget.findById(targetIdOf(postId, accountId)).lean())!));
  const schedule = (account: { accountId: string; platform: PlatformId }, posts: Array<{ text: string; publishAt: Date }>) =>
    schedulePosts({ db: world.db, workflows: workflowTarget(world.client, world.config.temporal.taskQueue), owner: world.owner, account, posts });
  const expiredStatus = (accountId: string) =>
    waitFor('the account to expire', async () => {
      const status = (await world.db.models.Account.findById(accountId).lean())?.status;
      return status?.state === 'expired' ? status : undefined;
    });

  it('pauses three posts while expired and publishes each exactly once, in order, after the reconnect', { timeout: 90_000 }, async () => {
    const account = await connect('paused_then_resumed', 0);
    const start = Date.now();
    const scheduled = await schedule({ accountId: account.accountId, platform: 'x' }, [1, 2, 3].map((n) => ({ text: `Queued post number ${n}`, publishAt: new Date(start + 12_000 + n * 100) })));
    expect(scheduled.map(({ answer }) => answer.queued && answer.result.position)).toEqual([1, 2, 3]);

    await world.sandbox.control.revoke('x', account.externalId);
    const expired = await expiredStatus(account.accountId);
    expect(expired.queuePaused).toBe(true);

    // Due now, but the account is expired: still waiting, with the reason, nothing sent.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + 14_000 - Date.now())));
    const postIds = scheduled.map(({ post }) => post._id);
    const waiting = await targetsOf(postIds, account.accountId);
    expect(waiting.map((target) => target.state)).toEqual(['scheduled', 'scheduled', 'scheduled']);
    expect(await world.sandbox.control.posts({ platform: 'x', externalId: account.externalId })).toEqual([]);
    const handle = world.client.workflow.getHandle(accountWorkflowId(account.accountId));
    expect((await handle.query(stateQuery)).queue.queued).toBe(3);

    await connect('paused_then_resumed', 0, account.externalId);
    const published = await waitFor('all three published', async () => {
      const targets = await targetsOf(postIds, account.accountId);
      return targets.every((target) => target.state === 'published') ? targets : undefined;
    });
    const onPlatform = await world.sandbox.control.posts({ platform: 'x', externalId: account.externalId });
    expect(onPlatform.map((post) => post.text)).toEqual(['Queued post number 1', 'Queued post number 2', 'Queued post number 3']);
    expect(published.map((target) => target.url)).toEqual(onPlatform.map((post) => post.url));
    const counters = await world.sandbox.control.counters({ platform: 'x', externalId: account.externalId });
    expect(counters.publishDuplicates).toBe(0);
    expect(counters.publishAttempts).toBe(3);
    expect((await handle.query(stateQuery)).queue.queued).toBe(0);
  });

  it('holds overdue posts after a reconnect for the user to choose, and skips them when asked', { timeout: 90_000 }, async () => {
    const account = await connect('overdue_choice', 10 * 60_000);
    const start = Date.now();
    const scheduled = await schedule({ accountId: account.accountId, platform: 'x' }, [
        { text: 'Overdue one', publishAt: new Date(start + 9_000) },
        { text: 'Overdue two', publishAt: new Date(start + 9_500) },
        { text: 'Still ahead', publishAt: new Date(start + 60 * 60_000) },
      ]);
    await world.sandbox.control.revoke('x', account.externalId);
    await expiredStatus(account.accountId);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + 10_000 - Date.now())));

    const reconnected = await connect('overdue_choice', 10 * 60_000, account.externalId);
    const [first, second, ahead] = scheduled.map(({ post }) => post._id);
    expect(reconnected.result.state.queue.overdue?.postIds).toEqual([first, second]);

    const handle = world.client.workflow.getHandle(accountWorkflowId(account.accountId));
    expect(await handle.executeUpdate(resolveOverdueUpdate, { args: [{ choice: 'skip' }] })).toEqual({ postIds: [first, second] });
    const targets = await targetsOf([first!, second!, ahead!], account.accountId);
    expect(targets.map((target) => target.state)).toEqual(['canceled', 'canceled', 'scheduled']);
    expect(targets[0]?.reason?.message).toMatch(/skipped/i);
    expect((await handle.query(stateQuery)).queue.queued).toBe(1);
    expect(await world.sandbox.control.posts({ platform: 'x', externalId: account.externalId })).toEqual([]);
  });

  it('expires the account and pauses the post when the platform refuses the token at publish time', { timeout: 60_000 }, async () => {
    // LinkedIn without partner refresh: nothing renews the token, so only the publish call finds out.
    const account = await world.connect({ platform: 'linkedin', handle: 'refused_at_publish' });
    await world.sandbox.control.revoke('linkedin', account.externalId);
    const [scheduled] = await schedule({ accountId: account.accountId, platform: 'linkedin' }, [{ text: 'Meets a revoked token', publishAt: new Date() }]);
    const expired = await expiredStatus(account.accountId);
    const [target] = await targetsOf([scheduled!.post._id], account.accountId);
    expect(target).toMatchObject({ state: 'scheduled', attempts: 1 });
    expect(target?.reason?.message).toMatch(/LinkedIn/);
    // The account expired with the platform's code and its words, as the waiting post records them.
    expect(expired.reason).toEqual({ code: target!.reason!.code, detail: target!.reason!.message });
    const handle = world.client.workflow.getHandle(accountWorkflowId(account.accountId));
    expect((await handle.query(stateQuery)).queue.queued).toBe(1);
    expect(await world.sandbox.control.posts({ platform: 'linkedin', externalId: account.externalId })).toEqual([]);
  });

  it('renews an X token the platform refuses at publish time and publishes with the new one', { timeout: 60_000 }, async () => {
    const account = await connect('refresh_then_retry', 0);
    const refreshesBefore = (await world.sandbox.control.counters({ platform: 'x', externalId: account.externalId })).refreshes;
    await world.sandbox.control.expire('x', account.externalId);
    const [scheduled] = await schedule({ accountId: account.accountId, platform: 'x' }, [{ text: 'After a refresh', publishAt: new Date() }]);
    const published = await waitFor('published after the renewal', async () => {
      const [target] = await targetsOf([scheduled!.post._id], account.accountId);
      return target?.state === 'published' ? target : undefined;
    });
    expect(published.attempts).toBeGreaterThanOrEqual(1);
    const counters = await world.sandbox.control.counters({ platform: 'x', externalId: account.externalId });
    expect(counters.refreshes).toBeGreaterThan(refreshesBefore);
    expect(counters.refreshTokenReuse).toBe(0);
    expect((await world.db.models.Account.findById(account.accountId).lean())?.status?.state).toBe('active');
  });

  it('waits out a rate limit instead of failing, and fails only the target the platform rejects', { timeout: 60_000 }, async () => {
    const account = await connect('limits_and_rejections', 0);
    await world.sandbox.control.rateLimit('x', account.externalId, 4);
    const start = Date.now();
    const scheduled = await schedule({ accountId: account.accountId, platform: 'x' }, [
        { text: 'Same words twice', publishAt: new Date(start) },
        { text: 'Same words twice', publishAt: new Date(start + 100) },
      ]);
    const postIds = scheduled.map(({ post }) => post._id);
    const waiting = await waitFor('the first target waiting for the reset', async () => (await targetsOf(postIds, account.accountId)).find((target) => target.reason?.code === 'rate_limited'));
    expect(waiting.state).toBe('scheduled');
    expect(waiting.reason?.message).toMatch(/^X is rate-limiting until \d\d:\d\d UTC; the post will go out then$/);
    const settled = await waitFor('both targets settled', async () => {
      const targets = await targetsOf(postIds, account.accountId);
      return targets.every((target) => target.state === 'published' || target.state === 'failed') ? targets : undefined;
    }, 40_000);
    expect(settled.map((target) => target.state)).toEqual(['published', 'failed']);
    expect(settled[0]!.publishedAt!.getTime()).toBeGreaterThanOrEqual(start + 3_000);
    expect(settled[1]?.reason?.message).toMatch(/duplicate/i);
    expect((await world.db.models.Account.findById(account.accountId).lean())?.status?.state).toBe('active');
  });
});
