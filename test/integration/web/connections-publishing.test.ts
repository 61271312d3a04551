import { describe, expect, it } from 'vitest';
import { targetIdOf } from '../../../db/models/post-target.js';
import { createPost } from '../../../db/posts.js';
import { requeueWaitingPosts } from '../../../activities/requeue-posts.js';
import { approveConsent } from '../../../sandbox/client.js';
import { accountWorkflowId, revokedSignal, stateQuery } from '../../../workflows/account/messages.js';
import { waitFor } from '../../helpers/lifecycle.js';
import { schedulePosts, workflowTarget } from '../publishing/support.js';
import { csrfToken, penNamesOf, postForm, registerPayingUser, type Agent, type TestUser, useLiveWeb } from './support.js';

// The Connections page's publishing side: a test post from a pill, the paused-queue count on an
// expired account, the reconnect result page that asks what to do with overdue posts, and the
// disconnect page that lists the posts it will fail.

describe('web: publishing from the Connections page', () => {
  const web = useLiveWeb({ workflowDefaults: { overdueDecisionMs: 10 * 60_000 } });

  const payingUser = async (): Promise<TestUser> => (await registerPayingUser(web)).user;

  /** Connect (or reconnect) X through the consent page, as a browser would; answers the callback's redirect. */
  const connectX = async (agent: Agent, identity: string, reconnect?: string) => {
    const start = await agent.get(`/connect/x${reconnect ? `?reconnect=${reconnect}` : ''}`).expect(303);
    const redirect = new URL(await approveConsent(start.headers.location as string, { identity }));
    return agent.get(redirect.pathname + redirect.search).expect(303);
  };

  const connectedX = async (user: TestUser, handle: string) => {
    const identity = await web.sandbox.control.createIdentity({ platform: 'x', handle });
    await connectX(user.agent, identity.id);
    const account = (await web.db.models.Account.findOne({ ownerId: user.id, externalId: identity.id }).lean())!;
    const penName = (await penNamesOf(web, user.id))[0]!;
    return { account, externalId: identity.id, owner: { ownerId: user.id, penNameId: penName._id, penName: penName.name } };
  };

  it('sends a test post from a pill and shows where it landed; another user gets 404', { timeout: 60_000 }, async () => {
    const user = await payingUser();
    const { account, externalId } = await connectedX(user, 'tests_posts');
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toContain(`action="/connections/${account._id}/test-post"`);

    const token = await csrfToken(user.agent, '/connections');
    const result = await user.agent.post(`/connections/${account._id}/test-post`).type('form').send({ _csrf: token }).expect(200);
    expect(result.text).toContain('Published.');
    const link = /href="([^"]+)" rel="noopener" target="_blank">See it on X/.exec(result.text)?.[1];
    expect(link?.startsWith(web.sandbox.url)).toBe(true);
    const onPlatform = await web.sandbox.control.posts({ platform: 'x', externalId });
    expect(onPlatform).toHaveLength(1);
    expect(onPlatform[0]?.text).toMatch(/^Testing Tether with @tests_posts/);
    expect((await fetch(link!)).status).toBe(200);

    const stranger = await payingUser();
    const strangerToken = await csrfToken(stranger.agent, '/connections');
    await stranger.agent.post(`/connections/${account._id}/test-post`).type('form').send({ _csrf: strangerToken }).expect(404);
    await stranger.agent.get(`/connections/${account._id}/overdue`).expect(404);
    expect(await web.sandbox.control.posts({ platform: 'x', externalId })).toHaveLength(1);
  });

  it('counts paused posts on an expired pill, then asks what to do with overdue posts after the reconnect', { timeout: 90_000 }, async () => {
    const user = await payingUser();
    const { account, externalId, owner } = await connectedX(user, 'overdue_page');
    const workflows = workflowTarget(web.temporal.client, web.config.temporal.taskQueue);
    const [scheduled] = await schedulePosts({
      db: web.db,
      workflows,
      owner,
      account: { accountId: account._id, platform: 'x', handle: account.handle },
      posts: [{ text: 'Written before the token died', publishAt: new Date(Date.now() + 4_000) }],
    });
    await web.sandbox.control.revoke('x', externalId);
    const handle = web.temporal.client.workflow.getHandle(accountWorkflowId(account._id));
    await handle.signal(revokedSignal, { reason: { code: 'token_revoked', message: 'X says this connection was revoked' } });
    await waitFor('expired', async () => (await web.db.models.Account.findById(account._id).lean())?.status?.state === 'expired');

    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toContain('1 post waiting (queue paused)');
    // The "needs reconnecting" notification's link leads to the account's page, which leads into the reconnect flow for it.
    const notification = await waitFor('the expired notification', async () => (await web.db.models.Notification.findOne({ accountId: account._id, kind: 'expired' }).lean()) ?? undefined);
    expect(notification.link).toBe(`/connections/${account._id}`);
    const follow = await user.agent.get(notification.link).expect(200);
    expect(follow.text).toContain(`href="/connect/x?reconnect=${account._id}">Reconnect</a>`);
    await waitFor('the post to fall due', async () => Date.now() > scheduled!.post.publishAt.getTime() + 500);

    const back = await connectX(user.agent, externalId, account._id);
    expect(back.headers.location).toBe(`/connections/${account._id}/overdue`);
    const overdue = await user.agent.get(`/connections/${account._id}/overdue`).expect(200);
    expect(overdue.text).toContain('Written before the token died');
    expect(overdue.text).toMatch(/They go out in their original order at <strong>/);

    const decide = (fields: Record<string, string>) => postForm(user.agent, `/connections/${account._id}/overdue`, fields, `/connections/${account._id}/overdue`);
    const invalid = await decide({ choice: 'later' });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('What to do: choose publish now, reschedule or skip');
    const past = await decide({ choice: 'reschedule', publishAt: '2020-01-01T10:00', timeZone: 'UTC' });
    expect(past.status).toBe(400);
    expect(past.text).toContain('New time: choose a time in the future');

    const chosen = await decide({ choice: 'publishNow' });
    expect(chosen.status).toBe(303);
    expect(chosen.headers.location).toBe('/posts');
    const published = await waitFor('published after the choice', async () => {
      const target = await web.db.models.PostTarget.findById(targetIdOf(scheduled!.post._id, account._id)).lean();
      return target?.state === 'published' ? target : undefined;
    });
    expect(published.url?.startsWith(web.sandbox.url)).toBe(true);
    expect((await handle.query(stateQuery)).queue.overdue).toBeUndefined();
    expect((await user.agent.get('/posts').expect(200)).text).toContain('1 post will go out now, in their original order.');
  });

  it('lists the posts a disconnect will fail, fails them, and says how many', { timeout: 60_000 }, async () => {
    const user = await payingUser();
    const { account, owner } = await connectedX(user, 'leaving_with_posts');
    const [scheduled] = await schedulePosts({
      db: web.db,
      workflows: workflowTarget(web.temporal.client, web.config.temporal.taskQueue),
      owner,
      account: { accountId: account._id, platform: 'x', handle: account.handle },
      posts: [{ text: 'A post for next week', publishAt: new Date(Date.now() + 7 * 24 * 3600_000) }],
    });
    const confirm = await user.agent.get(`/connections/${account._id}/disconnect`).expect(200);
    expect(confirm.text).toContain('These scheduled posts will fail:');
    expect(confirm.text).toContain('A post for next week');

    expect((await postForm(user.agent, `/connections/${account._id}/disconnect`, {}, `/connections/${account._id}/disconnect`)).status).toBe(303);
    expect((await user.agent.get('/connections').expect(200)).text).toContain('1 scheduled post for it failed.');
    const target = await web.db.models.PostTarget.findById(targetIdOf(scheduled!.post._id, account._id)).lean();
    expect(target).toMatchObject({ state: 'failed', reason: { code: 'account_disconnected' } });
  });

  it('a disconnect fails the posts the workflow held by their ids; one it never received fails at the next self-healing pass', { timeout: 60_000 }, async () => {
    const user = await payingUser();
    const { account, owner } = await connectedX(user, 'leaving_with_straggler');
    const workflows = workflowTarget(web.temporal.client, web.config.temporal.taskQueue);
    const nextWeek = new Date(Date.now() + 7 * 24 * 3600_000);
    const [queued] = await schedulePosts({ db: web.db, workflows, owner, account: { accountId: account._id, platform: 'x', handle: account.handle }, posts: [{ text: 'Queued', publishAt: nextWeek }] });
    // Stored, but never handed to the workflow (as after a crash between the two).
    const straggler = await createPost(
      web.db.models,
      { ownerId: owner.ownerId, penNameId: owner.penNameId, kind: 'scheduled', text: 'Never queued', timeZone: 'UTC', publishAt: nextWeek, targets: [{ accountId: account._id, platform: 'x', handle: account.handle }] },
      new Date(),
    );
    const targetOf = async (postId: string) => (await web.db.models.PostTarget.findById(targetIdOf(postId, account._id)).lean())!;

    expect((await postForm(user.agent, `/connections/${account._id}/disconnect`, {}, `/connections/${account._id}/disconnect`)).status).toBe(303);
    expect((await user.agent.get('/connections').expect(200)).text).toContain('1 scheduled post for it failed.');
    expect(await targetOf(queued!.post._id)).toMatchObject({ state: 'failed', reason: { code: 'account_disconnected' } });
    expect((await targetOf(straggler._id)).state).toBe('scheduled');

    // Self-healing takes it up once it has waited past the in-flight minute, and finds its account disconnected.
    await requeueWaitingPosts(web.db.models, workflows, { now: new Date(Date.now() + 5 * 60_000) });
    expect(await targetOf(straggler._id)).toMatchObject({ state: 'failed', reason: { code: 'account_disconnected' } });
  });
});
