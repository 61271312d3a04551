import { describe, expect, it } from 'vitest';
import { createCredentialStore } from '../../../db/credentials.js';
import { AccountWorkflowClient } from '../../../services/account-workflows/client.js';
import type { AccountWorkflowTarget } from '../../../services/account-workflows/target.js';
import { connectAccount } from '../../../services/accounts/connect-account.js';
import { submitPost } from '../../../services/posts/queue.js';
import { consentThroughSandbox, waitFor } from '../../helpers/lifecycle.js';
import { useCountingWorld } from '../../helpers/round-trips.js';

// The database round trips of one connect, reconnect, renewal and publish, counted with the
// driver's command monitoring: web-side calls and the worker's activities together, until the
// account's workflow is idle again. The counts are deterministic; a change that adds a round trip
// to one of these paths fails here (update db/README.md with the new figure if it is worth it).

describe('database round trips per action', () => {
  const world = useCountingWorld();
  let accountId: string | undefined;
  const counts: Record<string, unknown> = {};

  const workflows = (): AccountWorkflowTarget => ({ client: world.client, taskQueue: world.config.temporal.taskQueue });
  const connect = async (identity: string) => {
    const consent = await consentThroughSandbox({ config: world.config, sandboxUrl: world.sandbox.url, platform: 'x', identity });
    const deps = { config: world.config, models: world.measured.models, store: createCredentialStore(world.measured.models, world.config.tokenEncryptionKey), workflows: workflows() };
    return () => connectAccount(deps, { ...world.owner, platform: 'x', identity: consent.identity, tokens: consent.tokens });
  };

  it('connect, reconnect, renewal and publish each cost a fixed number of commands', { timeout: 180_000 }, async () => {
    await world.observer.models.User.updateOne({ _id: world.owner.ownerId }, { $set: { plan: 'growth' } });
    const identity = (await world.sandbox.control.createIdentity({ platform: 'x', handle: 'counted' })).id;

    const firstConnect = await connect(identity);
    counts.connect = await world.measure(
      () => accountId,
      async () => {
        const outcome = await firstConnect();
        if (!outcome.ok) throw new Error('the connect was refused');
        accountId = outcome.accountId;
      },
    );

    const again = await connect(identity);
    counts.reconnect = await world.measure(() => accountId, again);

    counts.renewal = await world.measure(
      () => accountId,
      async () => {
        const answer = await new AccountWorkflowClient(workflows()).refreshNow(accountId!);
        if (!answer.ok) throw new Error('the renewal was refused');
      },
    );

    const { post } = await submitPost(
      workflows(),
      world.observer.models,
      { ownerId: world.owner.ownerId, penNameId: world.owner.penNameId, kind: 'scheduled', text: 'counted post', timeZone: 'UTC', publishAt: new Date(Date.now() + 15_000), targets: [{ accountId: accountId!, platform: 'x', handle: 'counted' }] },
      new Date(),
    );
    counts.publish = await world.measure(
      () => accountId,
      () => waitFor('the post to be published', async () => (await world.observer.models.PostTarget.findById(`${post._id}:${accountId}`).lean())?.state === 'published', 60_000),
    );

    // Three posts due together: one activity reads the account and its tokens once, claims, publishes and settles each post, and writes their timeline events in one insert.
    const dueTogether = new Date(Date.now() + 15_000);
    const together: string[] = [];
    for (const n of [1, 2, 3]) {
      const submitted = await submitPost(
        workflows(),
        world.observer.models,
        { ownerId: world.owner.ownerId, penNameId: world.owner.penNameId, kind: 'scheduled', text: `counted post ${n} of three`, timeZone: 'UTC', publishAt: dueTogether, targets: [{ accountId: accountId!, platform: 'x', handle: 'counted' }] },
        new Date(),
      );
      together.push(submitted.post._id);
    }
    counts.publishThreeDueTogether = await world.measure(
      () => accountId,
      () =>
        waitFor('the three posts to be published', async () => {
          const targets = await world.observer.models.PostTarget.find({ _id: { $in: together.map((postId) => `${postId}:${accountId}`) } }).lean();
          return targets.length === 3 && targets.every((target) => target.state === 'published');
        }, 60_000),
    );

    expect(counts).toEqual({
      // A first connect still reads the user's plan slots and looks for an account connected before identities were recorded (two scans).
      // Each action also writes its one timeline event (account_events: connected, reconnected, renewed, published).
      // One activity takes the credentials and records the status (connect-in-one-activity): its account read serves the status write too.
      // A new account's first credentials have no version before them to remove.
      connect: {
        total: 17,
        byCommand: {
          'find users': 1,
          'find plan_slot_holders': 1,
          'find plan_slots': 1,
          'insert plan_slots': 1,
          'update plan_slot_holders': 1,
          'find account_identities': 2,
          'insert account_identities': 1,
          'find accounts': 2,
          'findAndModify accounts': 1,
          'insert credentials': 1,
          'update credential_heads': 1,
          'find pen_names': 1,
          'find credential_heads': 1,
          'update accounts': 1,
          'insert account_events': 1,
        },
        scans: { 'find plan_slots': 1, 'find accounts': 1 },
      },
      // A reconnect's slot is already held: nothing to undo on failure, so the account is not looked up before it (−2).
      reconnect: {
        total: 12,
        byCommand: {
          'find users': 1,
          'find plan_slot_holders': 1,
          'find account_identities': 1,
          'find accounts': 1,
          'findAndModify accounts': 1,
          'find credential_heads': 2,
          'insert credentials': 1,
          'update credential_heads': 1,
          'delete credentials': 1,
          'update accounts': 1,
          'insert account_events': 1,
        },
        scans: {},
      },
      // One activity (renew by need): the renewal (7: the account, its head, the claim, the check for a newer version, the new version,
      // the head, the old version removed), then the timeline event and the status, written without reading the account again.
      renewal: {
        total: 9,
        byCommand: {
          'find accounts': 1,
          'update accounts': 1,
          'find credential_heads': 1,
          'insert claims': 1,
          'find credentials': 1,
          'insert credentials': 1,
          'update credential_heads': 1,
          'delete credentials': 1,
          'insert account_events': 1,
        },
        scans: {},
      },
      // The target carries the post's text (target-content): no post read. The target is read again once
      // its claim is won, so an attempt sees a cancel or edit that held the claim just before it, and is
      // marked `publishing` only then (a crash never leaves a cancelled target marked).
      publish: {
        total: 8,
        byCommand: { 'find post_targets': 2, 'insert claims': 1, 'update post_targets': 2, 'find accounts': 1, 'find credential_heads': 1, 'insert account_events': 1 },
        scans: {},
      },
      // 2 per run + 5 per post (target read — ahead of the claim, during the post before —, claim, read under it, mark, outcome) + 1 per run.
      publishThreeDueTogether: {
        total: 18,
        byCommand: { 'find post_targets': 6, 'insert claims': 3, 'update post_targets': 6, 'find accounts': 1, 'find credential_heads': 1, 'insert account_events': 1 },
        scans: {},
      },
    });
  });
});
