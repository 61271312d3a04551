import { beforeAll, describe, expect, it } from 'vitest';
import { targetIdOf } from '../../../db/models/post-target.js';
import { connectThroughSandbox, waitFor, type Owner } from '../../helpers/lifecycle.js';
import { fixturePath } from '../platforms/media-fixtures.js';
import { csrfToken, registerPayingUser, type Agent, useLiveWeb } from './support.js';

// What a platform makes the person choose (TikTok: who can see the post, its Music Usage
// Confirmation) is asked on the compose page and before a test post, with TikTok's own options
// for that account, and reaches TikTok as chosen.

const VERIFIED = 'images.example.com';

describe('web: choices a platform requires (TikTok)', () => {
  const web = useLiveWeb({ env: { TIKTOK_VERIFIED_DOMAINS: VERIFIED } });
  beforeAll(async () => {
    await web.sandbox.control.configure({ tiktokVerifiedDomains: [VERIFIED] });
  });

  const connectTikTok = async (owner: Owner, identity: string) =>
    (await connectThroughSandbox({ config: web.config, db: web.db, client: web.temporal.client, sandboxUrl: web.sandbox.url, owner, platform: 'tiktok', identity })).accountId;

  const submit = async (agent: Agent, path: string, fields: [string, string][], from: string, video = false) => {
    const token = await csrfToken(agent, from);
    if (!video) return agent.post(path).type('form').send(new URLSearchParams([['_csrf', token], ...fields]).toString());
    let request = agent.post(path).field('_csrf', token);
    for (const [name, value] of fields) request = request.field(name, value);
    return request.attach('media-0', fixturePath('sample-video.mp4'));
  };

  it('compose offers the account’s privacy levels with no default and the Music Usage Confirmation, says why, and sends what was chosen', { timeout: 90_000 }, async () => {
    const { user, owner } = await registerPayingUser(web);
    const accountId = await connectTikTok(owner, 'alice.tok');
    const form = await user.agent.get('/posts/new').expect(200);
    expect(form.text).toContain('TikTok requires you to choose who can see each post');
    expect(form.text).toMatch(new RegExp(`<select id="privacy-${accountId}" name="privacy-${accountId}">\\s*<option value="">Choose who can see it</option>\\s*<option value="SELF_ONLY">Only me</option>\\s*</select>`));
    expect(form.text).toContain('has not passed TikTok&#39;s audit');
    expect(form.text).toContain(`name="consent-${accountId}"`);
    expect(form.text).toContain('TikTok&#39;s Music Usage Confirmation');

    const base: [string, string][] = [['text', 'Evening light'], ['accountIds', accountId], ['when', 'now'], ['timeZone', 'UTC']];
    const refused = await submit(user.agent, '/posts', base, '/posts/new', true);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('TikTok requires you to choose who can see this post');
    expect(refused.text).toContain('TikTok requires you to agree to its Music Usage Confirmation before posting');
    expect(await web.db.models.Post.countDocuments({ ownerId: user.id })).toBe(0);

    const sent = await submit(user.agent, '/posts', [...base, [`privacy-${accountId}`, 'SELF_ONLY'], [`consent-${accountId}`, 'yes']], '/posts/new', true);
    expect(sent.status, sent.text).toBe(303);
    const postId = /^\/posts\/([0-9a-f-]{36})$/.exec(sent.headers.location ?? '')![1]!;
    const target = await web.db.models.PostTarget.findById(targetIdOf(postId, accountId)).lean();
    expect(target?.choices).toEqual({ privacyLevel: 'SELF_ONLY', musicConsent: true, autoAddMusic: false });
    const published = await waitFor('the TikTok post', async () => (await web.sandbox.control.posts({ platform: 'tiktok', externalId: '-000ALICEopenid1AbCdEfGh' })).find((p) => p.text === 'Evening light'), 30_000);
    expect(published.options).toMatchObject({ privacy_level: 'SELF_ONLY', auto_add_music: false });
    expect(published.videoUrl).toBeTruthy();
  });

  it('a test post to TikTok asks for the choices first, then publishes the bundled sample video', { timeout: 90_000 }, async () => {
    const { user, owner } = await registerPayingUser(web);
    const accountId = await connectTikTok(owner, 'alice.tok');
    const path = `/connections/${accountId}/test-post`;
    const postsOnTikTok = async () => (await web.sandbox.control.posts({ platform: 'tiktok', externalId: '-000ALICEopenid1AbCdEfGh' })).length;
    const before = await postsOnTikTok();
    const asked = await submit(user.agent, path, [], '/connections');
    expect(asked.status).toBe(200);
    expect(asked.text).toContain("TikTok asks you to choose how the post is shared; the test post carries Tether's sample video.");
    expect(asked.text).toContain(`name="privacy-${accountId}"`);
    expect(await postsOnTikTok()).toBe(before);

    const missing = await submit(user.agent, path, [['withChoices', 'yes'], [`privacy-${accountId}`, 'SELF_ONLY']], '/connections');
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Music Usage Confirmation before posting');
    expect(missing.text).toMatch(/<option value="SELF_ONLY" selected>Only me<\/option>/);

    const done = await submit(user.agent, path, [['withChoices', 'yes'], [`privacy-${accountId}`, 'SELF_ONLY'], [`consent-${accountId}`, 'yes'], [`music-${accountId}`, 'yes']], '/connections');
    expect(done.status).toBe(200);
    expect(done.text).toContain('Published.');
    const posts = await web.sandbox.control.posts({ platform: 'tiktok', externalId: '-000ALICEopenid1AbCdEfGh' });
    expect(posts.at(-1)).toMatchObject({ imageUrls: [], videoUrl: expect.stringMatching(/^\/_sandbox\/media\//), options: { privacy_level: 'SELF_ONLY' } });
  });
});
