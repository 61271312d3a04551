import { describe, expect, it } from 'vitest';
import { publishingActivities } from '../../../activities/publishing/index.js';
import { targetIdOf } from '../../../db/models/post-target.js';
import { createPost, editPost, retryTarget } from '../../../db/posts.js';
import { connectOAuth, inActivity, useActivityWorld, type ActivityWorld, type ConnectedAccount } from './support.js';

// What a publish sends comes with its target (a copy of the post's text and media written when the
// post is stored or edited), so publishing reads one document. A target without a copy (stored
// before copies existed, or caught between an edit's writes) publishes from its post; an edit
// reaches every target still to publish, a failed one's retry included.

describe('publishing: the text a target carries', () => {
  const world = useActivityWorld();

  const store = async (connected: ConnectedAccount, text: string) => {
    const post = await createPost(
      world.db.models,
      { ownerId: world.ownerId, penNameId: world.penNameId, kind: 'scheduled', text, timeZone: 'UTC', publishAt: new Date(), targets: [{ accountId: connected.accountId, platform: 'x', handle: connected.identity.handle }] },
      new Date(),
    );
    return { post, targetId: targetIdOf(post._id, connected.accountId) };
  };
  const publish = (postId: string, connected: ConnectedAccount) =>
    inActivity(publishingActivities({ models: world.db.models, adapters: world.adapters, config: world.config, workerIdentity: 'test-worker' }).publishPost, {
      postId,
      accountId: connected.accountId,
    });
  const textsOn = async (w: ActivityWorld, connected: ConnectedAccount) => (await w.control.posts({ platform: 'x', externalId: connected.identity.externalId })).map((post) => post.text);
  /** The texts the platform got for this account from now on (the sandbox identity is shared between tests). */
  const platformFrom = async (connected: ConnectedAccount) => {
    const before = (await textsOn(world, connected)).length;
    return async () => (await textsOn(world, connected)).slice(before);
  };

  it('publishes the copy the target carries, written when the post was stored', async () => {
    const connected = await connectOAuth(world, 'x');
    const sent = await platformFrom(connected);
    const { post, targetId } = await store(connected, `carried ${Date.now()}`);
    expect((await world.db.models.PostTarget.findById(targetId).lean())?.content).toEqual({ text: post.text });
    // Only the target is read: a post changed behind its back (no edit goes this way) does not reach the platform.
    await world.db.models.Post.updateOne({ _id: post._id }, { $set: { text: 'written behind the target' } });
    expect(await publish(post._id, connected)).toMatchObject({ outcome: 'published' });
    expect(await sent()).toEqual([post.text]);
  });

  it('a target stored without a copy publishes its post', async () => {
    const connected = await connectOAuth(world, 'x');
    const sent = await platformFrom(connected);
    const { post, targetId } = await store(connected, `older ${Date.now()}`);
    await world.db.models.PostTarget.updateOne({ _id: targetId }, { $unset: { content: 1 } });
    expect(await publish(post._id, connected)).toMatchObject({ outcome: 'published' });
    expect(await sent()).toEqual([post.text]);
  });

  it('an edit reaches a waiting target, and the retry of a failed one', async () => {
    const connected = await connectOAuth(world, 'x');
    const sent = await platformFrom(connected);
    const waiting = await store(connected, `draft ${Date.now()}`);
    const failed = await store(connected, `failed draft ${Date.now()}`);
    await world.db.models.PostTarget.updateOne({ _id: failed.targetId }, { $set: { state: 'failed', reason: { code: 'rejected', message: 'no' } } });
    const edit = (text: string) => ({ text, timeZone: 'UTC', publishAt: new Date() });

    await editPost(world.db.models, waiting.post, edit(`final ${waiting.post._id}`), { all: [waiting.targetId], waitingIds: [waiting.targetId] }, new Date());
    expect((await world.db.models.PostTarget.findById(waiting.targetId).lean())?.content).toEqual({ text: `final ${waiting.post._id}` });
    // The failed target is not waiting: its copy goes, and its retry reads the edited post.
    await editPost(world.db.models, failed.post, edit(`fixed ${failed.post._id}`), { all: [failed.targetId], waitingIds: [] }, new Date());
    expect((await world.db.models.PostTarget.findById(failed.targetId).lean())?.content).toBeUndefined();
    expect(await retryTarget(world.db.models, failed.targetId, new Date(), new Date())).toBe(true);

    expect(await publish(waiting.post._id, connected)).toMatchObject({ outcome: 'published' });
    expect(await publish(failed.post._id, connected)).toMatchObject({ outcome: 'published' });
    expect(await sent()).toEqual([`final ${waiting.post._id}`, `fixed ${failed.post._id}`]);
  });

  it('an edit keeps the copy of a target already published', async () => {
    const connected = await connectOAuth(world, 'x');
    const { post, targetId } = await store(connected, `out ${Date.now()}`);
    expect(await publish(post._id, connected)).toMatchObject({ outcome: 'published' });
    await editPost(world.db.models, post, { text: 'too late', timeZone: 'UTC', publishAt: new Date() }, { all: [targetId], waitingIds: [] }, new Date());
    expect((await world.db.models.PostTarget.findById(targetId).lean())?.content).toEqual({ text: post.text });
  });
});
