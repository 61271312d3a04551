import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { endClaim, giveBackClaim, takeClaim } from '../../../db/claims.js';
import { postChangeKeyOf } from '../../../db/post-changes.js';
import { targetIdOf } from '../../../db/models/post-target.js';
import { createPost } from '../../../db/posts.js';
import type { PlatformId } from '../../../platforms/types.js';
import { accountWorkflowId, revokedSignal, stateQuery } from '../../../workflows/account/messages.js';
import { connectThroughSandbox, waitFor, type Owner } from '../../helpers/lifecycle.js';
import { fixturePath } from '../platforms/media-fixtures.js';
import { csrfToken, postForm, registerPayingUser, registerUser, type Agent, useLiveWeb } from './support.js';

// The Posts section on real servers: compose is validated per account before anything is stored,
// each account's workflow answers with the post's place in its queue, and the detail page's
// actions (edit, cancel, retry) go through the same workflows. Other people's posts are unknown.

describe('web: the Posts section', () => {
  const web = useLiveWeb();

  interface Connected {
    accountId: string;
    externalId: string;
    handle: string;
  }

  const writer = () => registerPayingUser(web);

  const connect = async (owner: Owner, platform: PlatformId, prefix: string): Promise<Connected> => {
    const handle = `${prefix}_${randomUUID().slice(0, 6)}`;
    const connected = await connectThroughSandbox({ config: web.config, db: web.db, client: web.temporal.client, sandboxUrl: web.sandbox.url, owner, platform, handle });
    const account = await web.db.models.Account.findById(connected.accountId).lean();
    return { accountId: connected.accountId, externalId: connected.externalId, handle: account!.handle };
  };

  /** Posts the form as a browser does: repeated fields repeat (`accountIds=a&accountIds=b`); with files, as multipart. */
  const submit = async (agent: Agent, path: string, fields: [string, string][], from = '/posts/new', files: [string, string][] = []) => {
    const token = await csrfToken(agent, from);
    if (files.length === 0) return agent.post(path).type('form').send(new URLSearchParams([['_csrf', token], ...fields]).toString());
    let request = agent.post(path).field('_csrf', token);
    for (const [name, value] of fields) request = request.field(name, value);
    for (const [name, file] of files) request = request.attach(name, file);
    return request;
  };

  /** A wall-clock time `minutes` from now in `zone`, as a datetime-local input writes it. */
  const localIn = (minutes: number, zone: string) => DateTime.now().setZone(zone).plus({ minutes }).toFormat("yyyy-MM-dd'T'HH:mm");

  const schedule = async (agent: Agent, input: { text: string; accountIds: string[]; minutes?: number; zone?: string; now?: boolean }) => {
    const zone = input.zone ?? 'UTC';
    const fields: [string, string][] = [['text', input.text], ...input.accountIds.map((id): [string, string] => ['accountIds', id])];
    if (input.now) fields.push(['when', 'now'], ['timeZone', zone]);
    else fields.push(['when', 'later'], ['publishAt', localIn(input.minutes ?? 60, zone)], ['timeZone', zone]);
    const response = await submit(agent, '/posts', fields);
    expect(response.status, response.text).toBe(303);
    const postId = /^\/posts\/([0-9a-f-]{36})$/.exec(response.headers.location ?? '')?.[1];
    expect(postId).toBeTruthy();
    return postId!;
  };

  const targetOf = async (postId: string, accountId: string) => (await web.db.models.PostTarget.findById(targetIdOf(postId, accountId)).lean())!;
  const queueOf = (accountId: string) => web.temporal.client.workflow.getHandle(accountWorkflowId(accountId)).query(stateQuery);
  const unescape = (html: string) => html.replace(/&#39;/g, "'").replace(/&#34;/g, '"').replace(/&amp;/g, '&');

  it('refuses a post that breaks a rule, naming the field or the account, and stores nothing', { timeout: 60_000 }, async () => {
    const { user, owner } = await writer();
    const x = await connect(owner, 'x', 'rules_x');
    const linkedin = await connect(owner, 'linkedin', 'rules_li');

    const form = await user.agent.get('/posts/new').expect(200);
    expect(form.text).toContain(`X @${x.handle}`);
    expect(form.text).toContain(`LinkedIn @${linkedin.handle}`);
    expect(form.text).toContain('up to 280 characters (links count 23, emoji 2)');
    expect(form.text).toContain('up to 3,000 characters');
    expect(form.text).toMatch(/<option selected>UTC<\/option>/);

    const later = localIn(60, 'UTC');
    const base = (extra: [string, string][]): [string, string][] => [['when', 'later'], ['publishAt', later], ['timeZone', 'UTC'], ...extra];

    const tooLong = await submit(user.agent, '/posts', base([['text', 'a'.repeat(300)], ['accountIds', x.accountId], ['accountIds', linkedin.accountId]]));
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain(`X (@${x.handle}): X allows 280 characters; this post has 300`);
    expect(tooLong.text).not.toContain(`LinkedIn (@${linkedin.handle})`);
    // What was typed comes back, with both accounts still chosen.
    expect(tooLong.text).toMatch(new RegExp(`value="${x.accountId}" checked`));
    expect(tooLong.text).toMatch(new RegExp(`value="${linkedin.accountId}" checked`));

    const noText = await submit(user.agent, '/posts', base([['text', '   '], ['accountIds', x.accountId]]));
    expect(noText.status).toBe(400);
    expect(noText.text).toContain('Text: write the post');

    const badImage = await submit(user.agent, '/posts', base([['text', 'Hello'], ['mediaUrl', 'ftp://example.com/a.png'], ['accountIds', linkedin.accountId]]));
    expect(badImage.status).toBe(400);
    expect(badImage.text).toContain('Media URL: Tether could not take the file at this address: the address does not use https');

    const noAccount = await submit(user.agent, '/posts', base([['text', 'Hello']]));
    expect(noAccount.status).toBe(400);
    expect(noAccount.text).toContain('Accounts: choose at least one account');

    const past = await submit(user.agent, '/posts', [['text', 'Hello'], ['accountIds', x.accountId], ['when', 'later'], ['publishAt', localIn(-10, 'Europe/Berlin')], ['timeZone', 'Europe/Berlin']]);
    expect(past.status).toBe(400);
    expect(past.text).toContain('Publish at: that time has passed; choose a time in the future or Publish now');

    // 02:30 on the last Sunday of March does not happen in Berlin.
    const year = DateTime.now().year + 1;
    const lastSunday = DateTime.fromObject({ year, month: 3, day: 31 }, { zone: 'Europe/Berlin' }).minus({ days: DateTime.fromObject({ year, month: 3, day: 31 }).weekday % 7 });
    const skipped = `${lastSunday.toFormat('yyyy-MM-dd')}T02:30`;
    const gap = await submit(user.agent, '/posts', [['text', 'Hello'], ['accountIds', x.accountId], ['when', 'later'], ['publishAt', skipped], ['timeZone', 'Europe/Berlin']]);
    expect(gap.status).toBe(400);
    expect(gap.text).toContain(`${skipped.replace('T', ' ')} does not exist in Europe/Berlin`);

    const badZone = await submit(user.agent, '/posts', [['text', 'Hello'], ['accountIds', x.accountId], ['when', 'later'], ['publishAt', later], ['timeZone', 'Mars/Olympus']]);
    expect(badZone.status).toBe(400);
    expect(badZone.text).toContain('Time zone: choose a time zone from the list');

    const stranger = await submit(user.agent, '/posts', base([['text', 'Hello'], ['accountIds', randomUUID()]]));
    expect(stranger.status).toBe(400);
    expect(stranger.text).toContain('Accounts: one of the chosen accounts is no longer connected to this pen name');

    expect(await web.db.models.Post.countDocuments({ ownerId: user.id })).toBe(0);
    expect(await web.db.models.PostTarget.countDocuments({ ownerId: user.id })).toBe(0);

    const badFilter = await user.agent.get('/posts?status=lost').expect(400);
    expect(badFilter.text).toContain('Status: must be one of scheduled, paused, publishing, published, failed');
  });

  it('schedules a post on two accounts: each queue answers its position, the target waits with queuedAt set, and the zone is remembered', { timeout: 60_000 }, async () => {
    const { user, owner } = await writer();
    const x = await connect(owner, 'x', 'sched_x');
    const linkedin = await connect(owner, 'linkedin', 'sched_li');

    const first = await schedule(user.agent, { text: 'Second in the X queue by time', accountIds: [x.accountId], minutes: 180, zone: 'Europe/Berlin' });
    const postId = await schedule(user.agent, { text: 'Good morning from Tether', accountIds: [x.accountId, linkedin.accountId], minutes: 90, zone: 'America/New_York' });

    const detail = await user.agent.get(`/posts/${postId}`).expect(200);
    expect(detail.text).toContain(`Queued on X @${x.handle} (position 1).`);
    expect(detail.text).toContain(`Queued on LinkedIn @${linkedin.handle} (position 1).`);
    expect(detail.text).toMatch(/Scheduled for \d+ \w+ \d{4}, \d\d:\d\d America\/New_York\./);
    expect(detail.text).toContain("in the account's queue since");
    const target = await targetOf(postId, x.accountId);
    expect(target.state).toBe('scheduled');
    expect(target.queuedAt).toBeInstanceOf(Date);
    expect((await queueOf(x.accountId)).queue.queued).toBe(2);
    expect((await web.db.models.User.findById(user.id).lean())?.timeZone).toBe('America/New_York');
    expect((await user.agent.get('/posts/new').expect(200)).text).toMatch(/<option selected>America\/New_York<\/option>/);

    // A post due earlier than one already queued goes before it; one due later goes after it.
    const third = await schedule(user.agent, { text: 'Third by time', accountIds: [x.accountId], minutes: 240 });
    expect((await user.agent.get(`/posts/${third}`).expect(200)).text).toContain(`Queued on X @${x.handle} (position 3).`);

    const list = await user.agent.get('/posts').expect(200);
    const order = [third, first, postId].map((id) => list.text.indexOf(`id="post-${id}"`));
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(list.text).toMatch(new RegExp(`id="post-${postId}"[\\s\\S]*?data-status="scheduled"`));
    expect((await user.agent.get('/posts?status=scheduled').expect(200)).text).toContain(`id="post-${postId}"`);
    const published = await user.agent.get('/posts?status=published').expect(200);
    expect(published.text).not.toContain(`id="post-${postId}"`);
    expect(published.text).toContain('No post has a published target.');
  });

  it('publishes now and links the detail page to the post on the platform', { timeout: 60_000 }, async () => {
    const { user, owner } = await writer();
    const x = await connect(owner, 'x', 'now_x');
    const postId = await schedule(user.agent, { text: `Out right away ${randomUUID()}`, accountIds: [x.accountId], now: true });
    const published = await waitFor('the target to be published', async () => {
      const target = await targetOf(postId, x.accountId);
      return target.state === 'published' ? target : undefined;
    });
    const detail = await user.agent.get(`/posts/${postId}`).expect(200);
    expect(detail.text).toContain('Publishing now.');
    const link = /href="([^"]+)" target="_blank" rel="noopener noreferrer">View post</.exec(detail.text)?.[1];
    expect(link).toBe(published.url);
    expect(link!.startsWith(web.sandbox.url)).toBe(true);
    expect((await fetch(unescape(link!))).status).toBe(200);
    expect(detail.text).toContain('publish attempts: 1');
    expect(detail.text).not.toContain('>Edit</a>');
    expect(detail.text).not.toContain('Cancel post');
    expect((await user.agent.get('/posts?status=published').expect(200)).text).toContain(`id="post-${postId}"`);
  });

  it('cancels the waiting targets and takes the post out of each queue', { timeout: 60_000 }, async () => {
    const { user, owner } = await writer();
    const x = await connect(owner, 'x', 'cancel_x');
    const linkedin = await connect(owner, 'linkedin', 'cancel_li');
    const postId = await schedule(user.agent, { text: 'Never mind', accountIds: [x.accountId, linkedin.accountId], minutes: 120 });
    expect((await queueOf(x.accountId)).queue.queued).toBe(1);

    const canceled = await postForm(user.agent, `/posts/${postId}/cancel`, {}, `/posts/${postId}`);
    expect(canceled.status).toBe(303);
    expect(canceled.headers.location).toBe(`/posts/${postId}`);
    const detail = await user.agent.get(`/posts/${postId}`).expect(200);
    // In the form's order: platforms as the Connections page lists them.
    expect(detail.text).toContain(`Canceled on LinkedIn @${linkedin.handle}, X @${x.handle}.`);
    expect(detail.text).toContain('Canceled: Canceled by you');
    expect(detail.text).not.toContain('Cancel post');
    expect((await targetOf(postId, x.accountId)).state).toBe('canceled');
    expect((await targetOf(postId, linkedin.accountId)).state).toBe('canceled');
    expect((await queueOf(x.accountId)).queue.queued).toBe(0);
    expect((await queueOf(linkedin.accountId)).queue.queued).toBe(0);

    await postForm(user.agent, `/posts/${postId}/cancel`, {}, `/posts/${postId}`);
    expect((await user.agent.get(`/posts/${postId}`).expect(200)).text).toContain('Nothing to cancel');
    await user.agent.get(`/posts/${postId}/edit`).expect(303);
  });

  it('edits a scheduled post: new text, and the target and the queue move to the new time', { timeout: 60_000 }, async () => {
    const { user, owner } = await writer();
    const x = await connect(owner, 'x', 'edit_x');
    const postId = await schedule(user.agent, { text: 'First draft', accountIds: [x.accountId], minutes: 120, zone: 'Asia/Kolkata' });

    const form = await user.agent.get(`/posts/${postId}/edit`).expect(200);
    expect(form.text).toContain('First draft</textarea>');
    expect(form.text).toMatch(/<option selected>Asia\/Kolkata<\/option>/);
    expect(form.text).not.toContain('name="accountIds"');

    const tooLong = await submit(user.agent, `/posts/${postId}/edit`, [['text', 'b'.repeat(281)], ['when', 'later'], ['publishAt', localIn(300, 'UTC')], ['timeZone', 'UTC']], `/posts/${postId}/edit`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain(`X (@${x.handle}): X allows 280 characters; this post has 281`);
    expect((await web.db.models.Post.findById(postId).lean())?.text).toBe('First draft');

    const newTime = localIn(300, 'UTC');
    const saved = await submit(user.agent, `/posts/${postId}/edit`, [['text', 'Final words'], ['when', 'later'], ['publishAt', newTime], ['timeZone', 'UTC']], `/posts/${postId}/edit`);
    expect(saved.status, saved.text).toBe(303);
    const expected = DateTime.fromISO(newTime, { zone: 'UTC' }).toJSDate();
    const post = await web.db.models.Post.findById(postId).lean();
    expect(post?.text).toBe('Final words');
    expect(post?.publishAt.getTime()).toBe(expected.getTime());
    expect(post?.timeZone).toBe('UTC');
    expect((await targetOf(postId, x.accountId)).dueAt.getTime()).toBe(expected.getTime());
    const queue = (await queueOf(x.accountId)).queue;
    expect(queue.queued).toBe(1);
    expect(Date.parse(queue.nextPublishAt!)).toBe(expected.getTime());
    const detail = await user.agent.get(`/posts/${postId}`).expect(200);
    expect(detail.text).toContain(`Saved. Queued on X @${x.handle} (position 1). Now scheduled for`);
    expect(detail.text).toContain('Final words');

    // Edited once more to go out now: the platform gets the last words.
    const now = await submit(user.agent, `/posts/${postId}/edit`, [['text', `Last words ${postId}`], ['when', 'now'], ['timeZone', 'UTC']], `/posts/${postId}/edit`);
    expect(now.status, now.text).toBe(303);
    await waitFor('the edited post out', async () => (await targetOf(postId, x.accountId)).state === 'published');
    expect((await web.sandbox.control.posts({ platform: 'x', externalId: x.externalId })).map((p) => p.text)).toEqual([`Last words ${postId}`]);
  });

  it('an edit leaves a target a publish attempt holds as it was, and says so', { timeout: 60_000 }, async () => {
    const { user, owner } = await writer();
    const x = await connect(owner, 'x', 'edit_held_x');
    const postId = await schedule(user.agent, { text: 'As first written', accountIds: [x.accountId], minutes: 120, zone: 'UTC' });
    const before = await targetOf(postId, x.accountId);
    // An attempt holds the target (its claim won, its mark not written yet): the edit must not change what it sends.
    const attempt = await takeClaim(web.db.models, { key: `publish:${before._id}`, from: 1, holder: 'a publish attempt', now: new Date(), leaseMs: 60_000 });
    expect(attempt).toEqual({ won: true, generation: 1 });

    const saved = await submit(user.agent, `/posts/${postId}/edit`, [['text', 'Rewritten'], ['when', 'later'], ['publishAt', localIn(300, 'UTC')], ['timeZone', 'UTC']], `/posts/${postId}/edit`);
    expect(saved.status, saved.text).toBe(303);
    const detail = await user.agent.get(`/posts/${postId}`).expect(200);
    expect(detail.text).toContain(`Saved. X @${x.handle}: being published right now, so it goes out as it was.`);
    const after = await targetOf(postId, x.accountId);
    expect(after.content?.text).toBe('As first written');
    expect(after.dueAt.getTime()).toBe(before.dueAt.getTime());
    expect((await web.db.models.Post.findById(postId).lean())?.text).toBe('Rewritten');
    await endClaim(web.db.models, { key: `publish:${before._id}`, generation: 1, now: new Date() });
  });

  it('an edit or a cancel while another change of the post is being saved changes nothing, and says so', { timeout: 60_000 }, async () => {
    const { user, owner } = await writer();
    const x = await connect(owner, 'x', 'change_held_x');
    const postId = await schedule(user.agent, { text: 'Words kept', accountIds: [x.accountId], minutes: 120, zone: 'UTC' });
    const before = await targetOf(postId, x.accountId);
    const other = await takeClaim(web.db.models, { key: postChangeKeyOf(postId), holder: 'another edit', now: new Date(), leaseMs: 60_000 });
    expect(other).toEqual({ won: true, generation: 1 });

    const refusal = 'Another change to this post was being saved at that moment, so nothing was changed. Check the post below, then try again.';
    const edited = await submit(user.agent, `/posts/${postId}/edit`, [['text', 'Words lost'], ['when', 'later'], ['publishAt', localIn(300, 'UTC')], ['timeZone', 'UTC']], `/posts/${postId}/edit`);
    expect(edited.status, edited.text).toBe(303);
    const afterEdit = unescape((await user.agent.get(`/posts/${postId}`).expect(200)).text);
    expect(afterEdit).toContain(refusal);
    expect(afterEdit).not.toContain('Now scheduled for');
    const canceled = await submit(user.agent, `/posts/${postId}/cancel`, [], `/posts/${postId}`);
    expect(canceled.status, canceled.text).toBe(303);
    expect(unescape((await user.agent.get(`/posts/${postId}`).expect(200)).text)).toContain(refusal);

    const after = await targetOf(postId, x.accountId);
    expect(after.state).toBe('scheduled');
    expect(after.content?.text).toBe('Words kept');
    expect(after.dueAt.getTime()).toBe(before.dueAt.getTime());
    expect((await web.db.models.Post.findById(postId).lean())?.text).toBe('Words kept');

    // Once the other change is done, the same edit goes through.
    await giveBackClaim(web.db.models, { key: postChangeKeyOf(postId), generation: 1 });
    await submit(user.agent, `/posts/${postId}/edit`, [['text', 'Words changed'], ['when', 'later'], ['publishAt', localIn(300, 'UTC')], ['timeZone', 'UTC']], `/posts/${postId}/edit`);
    expect((await targetOf(postId, x.accountId)).content?.text).toBe('Words changed');
    expect((await web.db.models.Post.findById(postId).lean())?.text).toBe('Words changed');
  });

  it('two edits at once leave the post and each of its targets with the same words', { timeout: 120_000 }, async () => {
    const { user, owner } = await writer();
    const x = await connect(owner, 'x', 'edits_x');
    const linkedin = await connect(owner, 'linkedin', 'edits_li');
    const postId = await schedule(user.agent, { text: 'Round 0', accountIds: [x.accountId, linkedin.accountId], minutes: 120, zone: 'UTC' });
    const edit = (text: string) =>
      submit(user.agent, `/posts/${postId}/edit`, [['text', text], ['when', 'later'], ['publishAt', localIn(300, 'UTC')], ['timeZone', 'UTC']], `/posts/${postId}/edit`);
    for (let round = 1; round <= 6; round++) {
      const answers = await Promise.all([edit(`Round ${round}a`), edit(`Round ${round}b`)]);
      for (const answer of answers) expect(answer.status, answer.text).toBe(303);
      const postText = (await web.db.models.Post.findById(postId).lean())?.text;
      const targetTexts = await Promise.all([x, linkedin].map(async (account) => (await targetOf(postId, account.accountId)).content?.text));
      expect(targetTexts, `round ${round}: the post says ${postText}`).toEqual([postText, postText]);
    }
  });

  it('retries a failed target once the cause is gone', { timeout: 90_000 }, async () => {
    const { user, owner } = await writer();
    const x = await connect(owner, 'x', 'retry_x');
    const words = `Said twice ${randomUUID()}`;
    const first = await schedule(user.agent, { text: words, accountIds: [x.accountId], now: true });
    await waitFor('the first post out', async () => (await targetOf(first, x.accountId)).state === 'published');
    // X refuses the same words twice in a row: the second target fails.
    const second = await schedule(user.agent, { text: words, accountIds: [x.accountId], now: true });
    const failed = await waitFor('the duplicate to fail', async () => {
      const target = await targetOf(second, x.accountId);
      return target.state === 'failed' ? target : undefined;
    });
    expect(failed.reason?.message).toMatch(/duplicate/i);
    const before = await user.agent.get(`/posts/${second}`).expect(200);
    expect(before.text).toMatch(/data-status="failed"[\s\S]*?Failed: [^<]*duplicate/i);
    expect(before.text).toContain(`Retry on X @${x.handle}`);
    expect((await user.agent.get('/posts?status=failed').expect(200)).text).toContain(`id="post-${second}"`);

    // Retrying something that did not fail says so.
    await postForm(user.agent, `/posts/${first}/targets/${x.accountId}/retry`, {}, `/posts/${first}`);
    expect((await user.agent.get(`/posts/${first}`).expect(200)).text).toContain('only a failed target can be retried; it is published.');

    await web.sandbox.control.configure({ duplicateWindowSec: 0 });
    try {
      const retried = await postForm(user.agent, `/posts/${second}/targets/${x.accountId}/retry`, {}, `/posts/${second}`);
      expect(retried.status).toBe(303);
      expect((await user.agent.get(`/posts/${second}`).expect(200)).text).toContain(`Retrying. Queued on X @${x.handle} (position 1).`);
      const published = await waitFor('the retried target to be published', async () => {
        const target = await targetOf(second, x.accountId);
        return target.state === 'published' ? target : undefined;
      });
      expect(published.reason).toBeUndefined();
      expect(published.attempts).toBe(2);
    } finally {
      await web.sandbox.control.configure({ duplicateWindowSec: 600 });
    }
    const posts = await web.sandbox.control.posts({ platform: 'x', externalId: x.externalId });
    expect(posts.map((post) => post.text)).toEqual([words, words]);
  });

  it('shows a scheduled post of an expired account as paused with its reason and a Reconnect link', { timeout: 60_000 }, async () => {
    const { user, owner } = await writer();
    const linkedin = await connect(owner, 'linkedin', 'paused_li');
    const x = await connect(owner, 'x', 'paused_x');
    const postId = await schedule(user.agent, { text: 'Waiting it out', accountIds: [linkedin.accountId, x.accountId], minutes: 120 });

    await web.sandbox.control.revoke('linkedin', linkedin.externalId);
    const reason = { code: 'token_revoked', detail: 'LinkedIn access was removed by the member' } as const;
    await web.temporal.client.workflow.getHandle(accountWorkflowId(linkedin.accountId)).signal(revokedSignal, { reason });
    await waitFor('the account to expire', async () => (await web.db.models.Account.findById(linkedin.accountId).lean())?.status?.state === 'expired');

    const list = await user.agent.get('/posts').expect(200);
    expect(list.text).toContain(`LinkedIn @${linkedin.handle}</strong>: Paused — waiting for reconnect: ${reason.detail} — <a href="/connect/linkedin?reconnect=${linkedin.accountId}">Reconnect</a>`);
    expect(list.text).toContain(`X @${x.handle}</strong>: Scheduled`);
    expect((await targetOf(postId, linkedin.accountId)).state).toBe('scheduled');
    expect((await user.agent.get('/posts?status=paused').expect(200)).text).toContain(`id="post-${postId}"`);

    // The compose form still offers it, marked; a post for it waits for the reconnect.
    const form = await user.agent.get('/posts/new').expect(200);
    expect(form.text).toMatch(new RegExp(`LinkedIn @${linkedin.handle}</strong>[^\\n]*Token expired — will wait for reconnect`));
    const waiting = await schedule(user.agent, { text: 'Another one for later', accountIds: [linkedin.accountId], minutes: 60 });
    expect((await user.agent.get(`/posts/${waiting}`).expect(200)).text).toContain(`LinkedIn @${linkedin.handle}: waits for reconnect: ${reason.detail}.`);
    const pausedOnly = await user.agent.get('/posts?status=paused').expect(200);
    expect(pausedOnly.text).toContain(`id="post-${waiting}"`);
    const scheduledOnly = await user.agent.get('/posts?status=scheduled').expect(200);
    expect(scheduledOnly.text).toContain(`id="post-${postId}"`);
    expect(scheduledOnly.text).not.toContain(`id="post-${waiting}"`);
  });

  it('lists each Pinterest account with its boards, and asks for a board', { timeout: 60_000 }, async () => {
    const { user, owner } = await writer();
    const pinterest = await connect(owner, 'pinterest', 'pins');
    const form = await user.agent.get('/posts/new').expect(200);
    expect(form.text).toContain(`<select id="board-${pinterest.accountId}" name="board-${pinterest.accountId}">`);
    expect(form.text).toMatch(/<option value="\d+">Ideas<\/option>/);
    expect(form.text).toContain('needs an image');
    const later = localIn(60, 'UTC');
    const photo: [string, string][] = [['media-0', fixturePath('mandelbrot.jpg')]];
    const refused = await submit(user.agent, '/posts', [['text', 'A pin'], ['accountIds', pinterest.accountId], ['when', 'later'], ['publishAt', later], ['timeZone', 'UTC']], '/posts/new', photo);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain(`Pinterest (@${pinterest.handle}): Pinterest needs a board for every Pin; choose a board`);
    const boardId = /<option value="(\d+)">Ideas<\/option>/.exec(form.text)![1]!;
    const accepted = await submit(
      user.agent,
      '/posts',
      [
        ['text', 'A pin'],
        ['accountIds', pinterest.accountId],
        [`board-${pinterest.accountId}`, boardId],
        ['when', 'later'],
        ['publishAt', later],
        ['timeZone', 'UTC'],
      ],
      '/posts/new',
      photo,
    );
    expect(accepted.status, accepted.text).toBe(303);
    const created = accepted.headers.location!.split('/').pop()!;
    expect((await targetOf(created, pinterest.accountId)).boardId).toBe(boardId);
  });

  it("answers 404 for another user's or another pen name's post on every post route", { timeout: 60_000 }, async () => {
    const { user, owner } = await writer();
    const x = await connect(owner, 'x', 'mine_x');
    const postId = await schedule(user.agent, { text: 'Only mine', accountIds: [x.accountId], minutes: 120 });

    const stranger = await registerUser(web);
    const tryAll = async (agent: Agent, id: string, from: string) => {
      expect((await agent.get(`/posts/${id}`)).status).toBe(404);
      expect((await agent.get(`/posts/${id}/edit`)).status).toBe(404);
      expect((await postForm(agent, `/posts/${id}/edit`, { text: 'Hijacked', when: 'now', timeZone: 'UTC' }, from)).status).toBe(404);
      expect((await postForm(agent, `/posts/${id}/cancel`, {}, from)).status).toBe(404);
      expect((await postForm(agent, `/posts/${id}/targets/${x.accountId}/retry`, {}, from)).status).toBe(404);
    };
    await tryAll(stranger.agent, postId, '/posts');
    expect((await stranger.agent.get('/posts').expect(200)).text).not.toContain(postId);

    // The owner, working in another pen name, does not see it either.
    const created = await postForm(user.agent, '/pen-names', { name: 'Evening Notes' }, '/pen-names');
    expect(created.status).toBe(303);
    await tryAll(user.agent, postId, '/posts');
    expect((await user.agent.get('/posts').expect(200)).text).not.toContain(postId);

    // Unknown and malformed ids are simply unknown.
    await stranger.agent.get(`/posts/${randomUUID()}`).expect(404);
    await stranger.agent.get('/posts/not-a-post').expect(404);

    const post = await web.db.models.Post.findById(postId).lean();
    expect(post?.text).toBe('Only mine');
    expect((await targetOf(postId, x.accountId)).state).toBe('scheduled');
  });

  it('refuses every post form without the CSRF token', { timeout: 60_000 }, async () => {
    const { user, owner } = await writer();
    const x = await connect(owner, 'x', 'csrf_x');
    const postId = await schedule(user.agent, { text: 'Guarded', accountIds: [x.accountId], minutes: 120 });
    const body = new URLSearchParams([['text', 'Forged'], ['accountIds', x.accountId], ['when', 'now'], ['timeZone', 'UTC']]).toString();
    await user.agent.post('/posts').type('form').send(body).expect(403);
    await user.agent.post(`/posts/${postId}/edit`).type('form').send(body).expect(403);
    await user.agent.post(`/posts/${postId}/cancel`).type('form').send('').expect(403);
    await user.agent.post(`/posts/${postId}/targets/${x.accountId}/retry`).type('form').send('').expect(403);
    expect(await web.db.models.Post.countDocuments({ ownerId: user.id })).toBe(1);
    expect((await web.db.models.Post.findById(postId).lean())?.text).toBe('Guarded');
    expect((await targetOf(postId, x.accountId)).state).toBe('scheduled');
  });

  it('lists the posts in the same number of queries whatever their number', async () => {
    const { user, owner } = await writer();
    const accountId = randomUUID();
    const seed = (n: number) =>
      createPost(
        web.db.models,
        {
          ownerId: owner.ownerId,
          penNameId: owner.penNameId,
          kind: 'scheduled',
          text: `Seeded post ${n}`,
          timeZone: 'UTC',
          publishAt: new Date(Date.now() + (n + 1) * 60_000),
          targets: [{ accountId, platform: 'x', handle: 'seeded' }],
        },
        new Date(),
      );
    const countQueries = async (path: string) => {
      let queries = 0;
      web.db.connection.set('debug', () => {
        queries += 1;
      });
      await user.agent.get(path).expect(200);
      web.db.connection.set('debug', false);
      return queries;
    };
    await seed(0);
    // A first view may save the session it changed; the counts compare views that only read it.
    await user.agent.get('/posts').expect(200);
    await user.agent.get('/posts?status=scheduled').expect(200);
    const withOne = await countQueries('/posts');
    const filteredOne = await countQueries('/posts?status=scheduled');
    for (let n = 1; n <= 8; n++) await seed(n);
    expect(await countQueries('/posts')).toBe(withOne);
    expect(await countQueries('/posts?status=scheduled')).toBe(filteredOne);
    expect(withOne).toBeGreaterThan(0);
  });
});
