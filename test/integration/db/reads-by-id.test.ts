import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsByIds } from '../../../db/accounts.js';
import { findOwnPost, findTargets, ownPostsByIds, postsByIds, targetsOfPost } from '../../../db/posts.js';
import { openMonitoredDatabase, type MonitoredDatabase } from '../../helpers/monitored-database.js';

// Reading a few documents by id (a post, its accounts and targets, an account's overdue posts) on the
// test server (FerretDB by default): only the owner's documents come back, each id once, and every
// command is a point read by `_id`, which FerretDB answers from its index however many documents
// the collection holds (an `$in` reads them all; db/README.md).

describe('documents read by id', () => {
  let db: MonitoredDatabase;
  const owner = { ownerId: `owner-${randomUUID()}`, penNameId: 'pen' };
  const other = { ownerId: `other-${randomUUID()}`, penNameId: 'pen' };
  const now = new Date();

  beforeAll(async () => {
    db = await openMonitoredDatabase();
  });
  afterAll(() => db?.close());

  const account = (id: string, scope: typeof owner) => ({
    _id: id,
    ...scope,
    platform: 'x' as const,
    externalId: id,
    handle: id,
    displayName: id,
    meta: {},
    connectedAt: now,
    status: { state: 'active' as const, queuePaused: false, sequence: 1, updatedAt: now },
  });
  const post = (id: string, scope: typeof owner) => ({ _id: id, ...scope, kind: 'scheduled' as const, text: `text of ${id}`, timeZone: 'UTC', publishAt: now, targets: [], createdAt: now, updatedAt: now });

  it("answers only the owner's accounts and posts, each id once, with point reads", async () => {
    const [mine, theirs] = [randomUUID(), randomUUID()];
    await db.models.Account.create([account(mine, owner), account(theirs, other)]);
    const [myPost, theirPost] = [randomUUID(), randomUUID()];
    await db.models.Post.create([post(myPost, owner), post(theirPost, other)]);

    db.counter.reset();
    const accounts = await accountsByIds(db.models, owner.ownerId, [mine, theirs, mine, 'missing']);
    const posts = await postsByIds(db.models, owner.ownerId, [theirPost, myPost, 'missing']);
    const count = db.counter.count();

    expect(accounts.map((found) => found._id)).toEqual([mine]);
    expect(posts).toMatchObject([{ _id: myPost, text: `text of ${myPost}`, publishAt: now, timeZone: 'UTC' }]);
    expect(posts).toHaveLength(1);
    expect(count.byCommand).toEqual({ 'find accounts': 3, 'find posts': 3 });
    expect(count.scans).toEqual({});
  });

  it("finds posts only in their owner's pen name, with one point read each", async () => {
    const postId = randomUUID();
    await db.models.Post.create(post(postId, owner));

    db.counter.reset();
    const answers = await Promise.all([
      findOwnPost(db.models, owner, postId),
      findOwnPost(db.models, { ...owner, penNameId: 'another pen' }, postId),
      findOwnPost(db.models, other, postId),
    ]);

    expect(answers.map((found) => found?._id)).toEqual([postId, undefined, undefined]);
    expect(db.counter.count()).toMatchObject({ byCommand: { 'find posts': 3 }, scans: {} });

    // Several of the pen name's posts at once (retrying failed posts): another pen name's is left out.
    const elsewhere = randomUUID();
    await db.models.Post.create(post(elsewhere, { ...owner, penNameId: 'another pen' }));
    db.counter.reset();
    const own = await ownPostsByIds(db.models, owner, [postId, elsewhere, postId]);
    expect(own.map((found) => found._id)).toEqual([postId]);
    expect(db.counter.count()).toMatchObject({ byCommand: { 'find posts': 2 }, scans: {} });
  });

  it('reads the targets asked for by their ids', async () => {
    const postId = randomUUID();
    const target = (accountId: string) => ({ _id: `${postId}:${accountId}`, postId, accountId, ...owner, platform: 'x' as const, handle: 'h', state: 'scheduled' as const, dueAt: now, attempts: 0, updatedAt: now });
    await db.models.PostTarget.create([target('a1'), target('a2'), target('a3')]);

    db.counter.reset();
    const found = await findTargets(db.models, [`${postId}:a3`, `${postId}:a1`, `${postId}:gone`]);

    expect(found.map((stored) => stored.accountId)).toEqual(['a3', 'a1']);
    expect(db.counter.count()).toMatchObject({ byCommand: { 'find post_targets': 3 }, scans: {} });

    // A post's targets, from the accounts it was composed for; one not written yet is left out.
    db.counter.reset();
    const ofPost = await targetsOfPost(db.models, { _id: postId, targets: ['a2', 'a9', 'a1'].map((accountId) => ({ accountId, platform: 'x' as const, handle: 'h' })) });
    expect(ofPost.map((stored) => stored.accountId)).toEqual(['a2', 'a1']);
    expect(db.counter.count()).toMatchObject({ byCommand: { 'find post_targets': 3 }, scans: {} });
  });
});
