import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishingActivities } from '../../../activities/publishing/index.js';
import type { PostTarget } from '../../../db/models/post-target.js';
import { cancelTargets, claimPublishing, createPost, editPost, recordQueued, retryTarget, settlePublishing, targetsOfPost } from '../../../db/posts.js';
import { readTarget } from '../../../db/target-changes.js';
import { testConfig } from '../../helpers/integration.js';
import { openMonitoredDatabase, type MonitoredDatabase } from '../../helpers/monitored-database.js';

// A post's cancel, edit and retry and the account workflow's settling of overdue posts, on the
// test server (FerretDB by default): each reads and writes targets by `_id` alone (FerretDB scans
// the collection for any other filter), and holds the target's publish claim while it does, so a
// change and a publish attempt racing on one target never both act (db/target-changes.ts).

const ROUNDS = 24;

/**
 * Two actions started together, one of them a moment later (which one, and by how much, varies by
 * round): each round interleaves their commands differently.
 */
function race<A, B>(round: number, first: () => Promise<A>, second: () => Promise<B>): Promise<[A, B]> {
  const delay = [0, 1, 2, 3, 4, 6, 8, 12][Math.floor(round / 2) % 8]!;
  const late = <T>(start: () => Promise<T>) => sleep(delay).then(start);
  return round % 2 === 0 ? Promise.all([first(), late(second)]) : Promise.all([late(first), second()]);
}

describe('changes to post targets', () => {
  let db: MonitoredDatabase;
  const scope = { ownerId: `owner-${randomUUID()}`, penNameId: 'pen' };
  const canceledByYou = { code: 'canceled', message: 'Canceled by you' };
  const later = (ms: number) => new Date(Date.now() + ms);

  beforeAll(async () => {
    db = await openMonitoredDatabase();
  });
  afterAll(() => db?.close());

  const newPost = async (accountIds = [`account-${randomUUID()}`]) => {
    const post = await createPost(
      db.models,
      { ...scope, kind: 'scheduled', text: `text ${randomUUID()}`, timeZone: 'UTC', publishAt: later(3_600_000), targets: accountIds.map((accountId) => ({ accountId, platform: 'x' as const, handle: accountId })) },
      new Date(),
    );
    return { post, targets: await targetsOfPost(db.models, post) };
  };
  const claim = (target: Pick<PostTarget, '_id' | 'postId'>) => claimPublishing(db.models, { targetId: target._id, postId: target.postId, holder: 'publisher', now: new Date(), leaseMs: 30_000 });
  const read = async (targetId: string) => (await readTarget(db.models, targetId))!;
  const activities = () => publishingActivities({ models: db.models, adapters: {}, config: testConfig(), workerIdentity: 'test-worker' });
  /** A target whose first publish attempt failed for good. */
  const failedTarget = async () => {
    const { post, targets } = await newPost();
    const first = await claim(targets[0]!);
    if (first.kind !== 'claimed') throw new Error(`the first attempt was not claimed: ${first.kind}`);
    await settlePublishing(db.models, { targetId: first.target._id, attempt: first.attempt, outcome: { failed: { code: 'rejected', message: 'no' } }, now: new Date() });
    return { post, target: await read(first.target._id) };
  };
  /** What one action sends: every command of the action, and those FerretDB answers by reading a whole collection. */
  const commandsOf = async (action: () => Promise<unknown>) => {
    db.counter.reset();
    await action();
    return db.counter.count();
  };

  it('send post_targets only filters on one _id: cancel, edit, retry, settling overdue posts', async () => {
    const cancel = await newPost(['a1', 'a2', 'a3']);
    expect(await commandsOf(() => cancelTargets(db.models, cancel.targets, canceledByYou, new Date()))).toEqual({
      // Per target: its claim, the target re-read under it, the write, the claim given back.
      total: 12,
      byCommand: { 'insert claims': 3, 'find post_targets': 3, 'update post_targets': 3, 'delete claims': 3 },
      scans: {},
    });
    expect((await targetsOfPost(db.models, cancel.post)).map((target) => target.state)).toEqual(['canceled', 'canceled', 'canceled']);

    const edit = await newPost(['a1', 'a2', 'a3']);
    const publishAt = later(7_200_000);
    expect(
      await commandsOf(() => editPost(db.models, edit.post, { text: 'edited', timeZone: 'UTC', publishAt }, { all: edit.targets, waitingIds: edit.targets.map((target) => target._id) }, new Date())),
    ).toEqual({
      // The copies dropped and written back under one claim per target, and the post between.
      total: 16,
      byCommand: { 'insert claims': 3, 'find post_targets': 3, 'update post_targets': 6, 'update posts': 1, 'delete claims': 3 },
      scans: {},
    });
    for (const target of await targetsOfPost(db.models, edit.post)) expect(target).toMatchObject({ state: 'scheduled', content: { text: 'edited' }, dueAt: publishAt });

    const { target: failed } = await failedTarget();
    expect(await commandsOf(() => retryTarget(db.models, failed, new Date(), new Date()))).toMatchObject({ byCommand: { 'insert claims': 2, 'find claims': 1, 'find post_targets': 1, 'update post_targets': 1, 'delete claims': 1 }, scans: {} });
    expect((await read(failed._id)).state).toBe('scheduled');

    // The workflow names posts of one account: their targets are read first, by id.
    const accountId = `account-${randomUUID()}`;
    const overdue = await Promise.all([1, 2, 3].map(() => newPost([accountId])));
    const postIds = overdue.map(({ post }) => post._id);
    const settle = (change: { skip: typeof canceledByYou } | { dueAt: number }) => commandsOf(() => activities().settleOverdue({ accountId, postIds, change }));
    const settled = { total: 15, byCommand: { 'find post_targets': 6, 'insert claims': 3, 'update post_targets': 3, 'delete claims': 3 }, scans: {} };
    const dueAt = later(10_800_000);
    expect(await settle({ dueAt: dueAt.getTime() })).toEqual(settled);
    expect(await settle({ skip: { code: 'skipped', message: 'Skipped' } })).toEqual(settled);
    for (const { targets } of overdue) expect(await read(targets[0]!._id)).toMatchObject({ state: 'canceled', dueAt, reason: { code: 'skipped' } });
  });

  it('an attempt that read the target before a cancel or an edit ran whole: it publishes the edit, and never marks a canceled target', async () => {
    const attemptWith = (seen: PostTarget) => claimPublishing(db.models, { targetId: seen._id, postId: seen.postId, holder: 'publisher', now: new Date(), leaseMs: 30_000, seen });
    const canceled = (await newPost()).targets[0]!;
    await cancelTargets(db.models, [canceled], canceledByYou, new Date());
    const afterCancel = await commandsOf(async () => expect((await attemptWith(canceled)).kind).toBe('gone'));
    // Claimed (the cancel gave its claim back), read again, given back: the target itself is never written.
    expect(afterCancel.byCommand).toEqual({ 'insert claims': 1, 'find post_targets': 1, 'delete claims': 1 });
    expect(await read(canceled._id)).toMatchObject({ state: 'canceled', attempts: 0 });

    const { post, targets } = await newPost();
    const edited = targets[0]!;
    await editPost(db.models, post, { text: 'edited text', timeZone: 'UTC', publishAt: post.publishAt }, { all: targets, waitingIds: [edited._id] }, new Date());
    const attempt = await attemptWith(edited);
    expect(attempt).toMatchObject({ kind: 'claimed', attempt: 1, content: { text: 'edited text' } });
    expect(await read(edited._id)).toMatchObject({ state: 'publishing', attempts: 1 });
  });

  it('an attempt on a target whose earlier claims were swept starts after its last attempt, and waits for one still live', async () => {
    const target = (await newPost()).targets[0]!;
    for (const attempt of [1, 2]) {
      const claimed = await claim(target);
      expect(claimed).toMatchObject({ kind: 'claimed', attempt });
      await settlePublishing(db.models, { targetId: target._id, attempt, outcome: { waiting: { code: 'rateLimited', message: 'later' } }, now: new Date() });
    }
    // The sweep removes claims a day after they ended: generation 1 is free again, below the last attempt.
    await db.models.Claim.deleteMany({ key: `publish:${target._id}` });
    expect(await claim(target)).toMatchObject({ kind: 'claimed', attempt: 3 });
    expect(await read(target._id)).toMatchObject({ state: 'publishing', attempts: 3 });

    // Attempt 3 is live; generations 1 and 2 are free: a second attempt must not take one of them and publish too.
    expect((await claim(target)).kind).toBe('busy');
    expect(await read(target._id)).toMatchObject({ state: 'publishing', attempts: 3 });
  });

  it('a cancel racing a publish attempt: exactly one of them acts, and a canceled target is never published', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { targets } = await newPost();
      const target = targets[0]!;
      const [[canceled], claimed] = await race(round, () => cancelTargets(db.models, [target], canceledByYou, new Date()), () => claim(target));
      const after = await read(target._id);
      if (canceled!.kind === 'changed') {
        expect(['busy', 'gone']).toContain(claimed.kind);
        expect(after).toMatchObject({ state: 'canceled', attempts: 0 });
        // The attempt that found the target busy is retried: it finds it canceled.
        expect((await claim(target)).kind).toBe('gone');
      } else {
        expect(['busy', 'left']).toContain(canceled!.kind);
        expect(claimed).toMatchObject({ kind: 'claimed', attempt: 1 });
        expect(after).toMatchObject({ state: 'publishing', attempts: 1 });
        await settlePublishing(db.models, { targetId: target._id, attempt: 1, outcome: { published: { externalId: 'e', url: 'u' } }, now: new Date() });
        expect((await cancelTargets(db.models, [target._id], canceledByYou, new Date()))[0]).toMatchObject({ kind: 'left', target: { state: 'published' } });
      }
    }
  });

  it('marking a target queued racing a publish attempt: the attempt and its result are never undone', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { targets } = await newPost();
      const target = targets[0]!;
      const publish = async () => {
        // An attempt that finds the target busy is retried, as Temporal retries the activity.
        let claimed = await claim(target);
        for (let retry = 0; claimed.kind === 'busy' && retry < 50; retry++) claimed = await sleep(10).then(() => claim(target));
        if (claimed.kind !== 'claimed') throw new Error(`round ${round}: the attempt was not claimed (${claimed.kind})`);
        await settlePublishing(db.models, { targetId: target._id, attempt: claimed.attempt, outcome: { published: { externalId: `e${round}`, url: 'u' } }, now: new Date() });
      };
      const [marked] = await race(round, () => recordQueued(db.models, target._id, new Date()), publish);
      expect(await read(target._id), `round ${round}`).toMatchObject({ state: 'published', attempts: 1, externalId: `e${round}` });
      expect(['changed', 'busy', 'left']).toContain(marked);
    }
  });

  it('two cancels of one target: one cancels it, the other finds it busy or canceled', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { targets } = await newPost();
      const answers = (await race(round, () => cancelTargets(db.models, targets, canceledByYou, new Date()), () => cancelTargets(db.models, targets, canceledByYou, new Date()))).map(([answer]) => answer!);
      expect(answers.filter((answer) => answer.kind === 'changed')).toHaveLength(1);
      expect(answers.filter((answer) => answer.kind !== 'changed').every((answer) => answer.kind === 'busy' || (answer.kind === 'left' && answer.target.state === 'canceled'))).toBe(true);
      expect(await read(targets[0]!._id)).toMatchObject({ state: 'canceled', attempts: 0 });
    }
  });

  it('an edit racing a publish attempt: the attempt publishes the edit whole or not at all', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { post, targets } = await newPost();
      const target = targets[0]!;
      const edit = { text: `edited ${round} ${post._id}`, timeZone: 'UTC', publishAt: later(7_200_000 + round) };
      const [[edited], claimed] = await race(round, () => editPost(db.models, post, edit, { all: targets, waitingIds: [target._id] }, new Date()), () => claim(target));
      const after = await read(target._id);
      if (claimed.kind === 'claimed') {
        expect(claimed.attempt).toBe(1);
        expect(after).toMatchObject({ state: 'publishing', attempts: 1 });
        // Either the edit came wholly before the attempt (which publishes it) or it found the target being published.
        if (edited!.kind === 'changed') expect([claimed.content.text, after.content?.text, after.dueAt]).toEqual([edit.text, edit.text, edit.publishAt]);
        else expect([edited!.kind, claimed.content.text, after.content?.text]).toEqual(['busy', post.text, post.text]);
      } else {
        expect([claimed.kind, edited!.kind]).toEqual(['busy', 'changed']);
        expect(after).toMatchObject({ state: 'scheduled', attempts: 0, content: { text: edit.text }, dueAt: edit.publishAt });
        // Its retry publishes the edit, numbered as if the edit had not held the target.
        expect(await claim(target)).toMatchObject({ kind: 'claimed', attempt: 1, content: { text: edit.text } });
      }
    }
  });

  it('two edits of one post: never both kept out; a target copies the text it was last edited to', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { post, targets } = await newPost();
      const edit = (name: string) => ({ text: `${name} ${round} ${post._id}`, timeZone: 'UTC', publishAt: later(7_200_000) });
      const [first, second] = [edit('first'), edit('second')];
      const editing = (change: typeof first) => async () => ({ change, answer: (await editPost(db.models, post, change, { all: targets, waitingIds: [targets[0]!._id] }, new Date()))[0]! });
      const answers = await race(round, editing(first), editing(second));
      const changed = answers.filter(({ answer }) => answer.kind === 'changed');
      expect(changed.length).toBeGreaterThanOrEqual(1);
      expect(answers.every(({ answer }) => answer.kind === 'changed' || answer.kind === 'busy')).toBe(true);
      const text = (await read(targets[0]!._id)).content?.text;
      if (changed.length === 1) expect(text).toBe(changed[0]!.change.text);
      else expect(text).toBe((await db.models.Post.findById(post._id).lean())?.text);
    }
  });

  it('a retry racing a publish attempt and another retry: retried once, the attempt numbered next', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { target } = await failedTarget();
      const retry = () => retryTarget(db.models, target, new Date(), new Date());
      const [[retried, again], claimed] = await race(round, () => Promise.all([retry(), retry()]), () => claim(target));
      expect([retried, again].filter(Boolean)).toHaveLength(1);
      const after = await read(target._id);
      if (claimed.kind === 'claimed') {
        expect(claimed.attempt).toBe(2);
        expect(after).toMatchObject({ state: 'publishing', attempts: 2 });
      } else {
        expect(['busy', 'gone']).toContain(claimed.kind);
        expect(after).toMatchObject({ state: 'scheduled', attempts: 1 });
        expect(await claim(target)).toMatchObject({ kind: 'claimed', attempt: 2 });
      }
    }
  });

  it('settling an overdue post racing a publish attempt: skipped or published, never both', async () => {
    const skip = { skip: { code: 'skipped', message: 'Skipped' } };
    for (let round = 0; round < ROUNDS; round++) {
      const accountId = `account-${randomUUID()}`;
      const { post, targets } = await newPost([accountId]);
      const target = targets[0]!;
      const settle = () => activities().settleOverdue({ accountId, postIds: [post._id], change: skip });
      const [settled, claimed] = await race(round, () => settle().then(() => 'settled', (error: unknown) => `failed: ${String(error)}`), () => claim(target));
      const after = await read(target._id);
      if (after.state === 'canceled') {
        expect(settled).toBe('settled');
        expect(['busy', 'gone']).toContain(claimed.kind);
        expect((await claim(target)).kind).toBe('gone');
      } else {
        expect(claimed).toMatchObject({ kind: 'claimed', attempt: 1 });
        expect(after).toMatchObject({ state: 'publishing', attempts: 1 });
        // Found busy, the activity is retried; found `publishing`, it leaves the target to its attempt.
        if (settled !== 'settled') expect(settled).toMatch(/being changed or published/);
      }
    }
  });

  it('a publish after an edit or a retry numbers its attempt as before: no number goes to the change', async () => {
    // Failed, then retried: the retry's attempt is number 2.
    const { target: failed } = await failedTarget();
    expect(await retryTarget(db.models, failed, new Date(), new Date())).toBe(true);
    expect(await claim(failed)).toMatchObject({ kind: 'claimed', attempt: 2 });

    // Edited while waiting, then published: the second attempt is number 2.
    const waiting = await newPost();
    const waitingTarget = waiting.targets[0]!;
    expect(await claim(waitingTarget)).toMatchObject({ attempt: 1 });
    await settlePublishing(db.models, { targetId: waitingTarget._id, attempt: 1, outcome: { waiting: { code: 'rate_limited', message: 'later' } }, now: new Date() });
    await editPost(db.models, waiting.post, { text: 'edited', timeZone: 'UTC', publishAt: new Date() }, { all: [waitingTarget._id], waitingIds: [waitingTarget._id] }, new Date());
    expect(await claim(waitingTarget)).toMatchObject({ kind: 'claimed', attempt: 2, content: { text: 'edited' } });
    expect(await db.models.Claim.countDocuments({ key: `publish:${waitingTarget._id}` })).toBe(2);
  });
});
