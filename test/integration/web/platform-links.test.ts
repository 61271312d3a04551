import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetIdOf } from '../../../db/models/post-target.js';
import { createPost } from '../../../db/posts.js';
import { registerPayingUser, startWeb, type WebHarness } from './support.js';

// Avatars and permalinks come from platform answers: the pages show them only over https.

describe('web: URLs that come from platforms', () => {
  let web: WebHarness;
  beforeAll(async () => {
    web = await startWeb({ PLATFORM_MODE: 'live' });
  });
  afterAll(async () => {
    await web?.close();
  });

  const seedAccount = async (owner: { ownerId: string; penNameId: string }, avatarUrl: string) => {
    const _id = randomUUID();
    const now = new Date();
    await web.db.models.Account.create({
      _id,
      ...owner,
      platform: 'x',
      externalId: randomUUID(),
      handle: `h${_id.slice(0, 6)}`,
      displayName: 'Someone',
      avatarUrl,
      meta: {},
      connectedAt: now,
      status: { state: 'active', queuePaused: false, sequence: 1, updatedAt: now },
    });
    return _id;
  };

  it('renders an https avatar and leaves out javascript: and plain-http ones', async () => {
    const { user, owner } = await registerPayingUser(web);
    await seedAccount(owner, 'https://pbs.example.com/ok.png');
    await seedAccount(owner, 'javascript:alert(document.cookie)');
    await seedAccount(owner, 'http://tracker.example.com/pixel.png');
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toContain('src="https://pbs.example.com/ok.png"');
    expect(page.text).not.toContain('javascript:');
    expect(page.text).not.toContain('tracker.example.com');
    expect(page.text.match(/class="avatar initial"/g)).toHaveLength(2);
  });

  it('links a published post only when its permalink is https', async () => {
    const { user, owner } = await registerPayingUser(web);
    const links: Record<string, string> = { good: 'https://x.com/ada/status/1', bad: 'javascript:alert(1)' };
    for (const [name, url] of Object.entries(links)) {
      const accountId = await seedAccount(owner, 'https://pbs.example.com/a.png');
      const now = new Date();
      const post = await createPost(web.db.models, { ...owner, kind: 'scheduled', text: `Post ${name}`, timeZone: 'UTC', publishAt: now, targets: [{ accountId, platform: 'x', handle: 'ada' }] }, now);
      await web.db.models.PostTarget.updateOne({ _id: targetIdOf(post._id, accountId) }, { $set: { state: 'published', url, externalId: '1', publishedAt: now } });
      const page = await user.agent.get(`/posts/${post._id}`).expect(200);
      if (name === 'good') expect(page.text).toContain(`href="${url}"`);
      else {
        expect(page.text).not.toContain('javascript:');
        expect(page.text).not.toContain('View post');
      }
    }
  });
});
