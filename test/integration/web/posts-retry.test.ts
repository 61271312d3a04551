import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { targetIdOf } from '../../../db/models/post-target.js';
import { connectThroughSandbox, waitFor, type Owner } from '../../helpers/lifecycle.js';
import { csrfToken, postForm, registerPayingUser, useLiveWeb, type Agent } from './support.js';

// Retrying from the Posts list: every failed target of a post at once, and every failed post of an
// account (after its cause is gone, e.g. a reconnect), each through the account's workflow.

describe('web: retrying failed posts from the list', () => {
  const web = useLiveWeb();

  const connect = async (owner: Owner, prefix: string) => {
    const handle = `${prefix}_${randomUUID().slice(0, 6)}`;
    const connected = await connectThroughSandbox({ config: web.config, db: web.db, client: web.temporal.client, sandboxUrl: web.sandbox.url, owner, platform: 'x', handle });
    return { accountId: connected.accountId, handle };
  };

  const publishNow = async (agent: Agent, text: string, accountIds: string[]) => {
    const token = await csrfToken(agent, '/posts/new');
    const fields = new URLSearchParams([['_csrf', token], ['text', text], ...accountIds.map((id): [string, string] => ['accountIds', id]), ['when', 'now'], ['timeZone', 'UTC']] as [string, string][]);
    const response = await agent.post('/posts').type('form').send(fields.toString()).expect(303);
    return /^\/posts\/([0-9a-f-]{36})$/.exec(response.headers.location as string)![1]!;
  };

  const stateOf = async (postId: string, accountId: string) => (await web.db.models.PostTarget.findById(targetIdOf(postId, accountId)).lean())?.state;
  const settled = (postId: string, accountId: string, state: string) => waitFor(`${postId} ${state} on ${accountId}`, async () => (await stateOf(postId, accountId)) === state, 60_000);

  it('retries every failed target of a post, and every failed post of an account', { timeout: 150_000 }, async () => {
    const { user, owner } = await registerPayingUser(web);
    const a = await connect(owner, 'retry_a');
    const b = await connect(owner, 'retry_b');
    // X refuses the same words twice in a row: the second post fails on both accounts.
    const words = `Twice on both ${randomUUID()}`;
    const first = await publishNow(user.agent, words, [a.accountId, b.accountId]);
    await settled(first, a.accountId, 'published');
    await settled(first, b.accountId, 'published');
    const second = await publishNow(user.agent, words, [a.accountId, b.accountId]);
    await settled(second, a.accountId, 'failed');
    await settled(second, b.accountId, 'failed');
    // Two more failed posts on account a only.
    const onA = [];
    for (const n of [1, 2]) {
      const text = `Only on a ${n} ${randomUUID()}`;
      await settled(await publishNow(user.agent, text, [a.accountId]), a.accountId, 'published');
      const again = await publishNow(user.agent, text, [a.accountId]);
      await settled(again, a.accountId, 'failed');
      onA.push(again);
    }

    const list = await user.agent.get('/posts').expect(200);
    expect(list.text).toContain(`action="/posts/${second}/retry"`);
    expect(list.text).toContain('Retry all 2 failed targets');
    expect(list.text).toContain(`action="/posts/retry-account/${a.accountId}"`);
    expect(list.text).toContain(`Retry all failed posts of X @${a.handle}`);

    await web.sandbox.control.configure({ duplicateWindowSec: 0 });
    try {
      const retried = await postForm(user.agent, `/posts/${second}/retry`, {}, '/posts');
      expect([retried.status, retried.headers.location]).toEqual([303, '/posts']);
      expect((await user.agent.get('/posts').expect(200)).text).toContain('Retrying 2 targets.');
      await settled(second, a.accountId, 'published');
      await settled(second, b.accountId, 'published');

      expect((await postForm(user.agent, `/posts/retry-account/${a.accountId}`, {}, '/posts')).status).toBe(303);
      expect((await user.agent.get('/posts').expect(200)).text).toContain(`Retrying 2 posts of @${a.handle} on X.`);
      for (const postId of onA) await settled(postId, a.accountId, 'published');

      // Nothing failed any more: the retry says so.
      expect((await postForm(user.agent, `/posts/${second}/retry`, {}, '/posts')).status).toBe(303);
      expect((await user.agent.get('/posts').expect(200)).text).toContain('Nothing to retry: no failed targets on a connected account.');
    } finally {
      await web.sandbox.control.configure({ duplicateWindowSec: 600 });
    }
  });
});
