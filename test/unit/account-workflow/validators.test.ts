import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPremiumUpdate,
  disconnectUpdate,
  reconnectUpdate,
  refreshNowUpdate,
  resolveOverdueUpdate,
  revokedSignal,
  schedulePostUpdate,
  testPostUpdate,
  unschedulePostUpdate,
} from '../../../workflows/account/messages.js';
import type { Reason } from '../../../workflows/lifecycle/types.js';
import { useWorkflowTestEnvironment, type AccountHandle } from './environment.js';
import { expectRejected, notified, reachStatus } from './support.js';
import type { Hold, StubAccount } from './stub-activities.js';

// Every validator of the account workflow's updates, one rejection at a time: the caller gets
// WorkflowUpdateFailedError with words it can show, and the rejected update never reaches the
// workflow's history.

const REVOKED: Reason = { code: 'token_revoked', detail: 'X says Tether was removed from the account settings' };
const HOUR = 3_600_000;

describe('account workflow validators', () => {
  const world = useWorkflowTestEnvironment();

  describe('on an active account', () => {
    let handle: AccountHandle;
    beforeAll(async () => {
      ({ handle } = await world.connect());
    });

    it('schedulePost needs a post id', async () => {
      await expectRejected(handle, schedulePostUpdate, [{ postId: '', dueAt: await world.isoIn(HOUR) }], 'postId is required.');
    });

    it('schedulePost needs an ISO due time', async () => {
      await expectRejected(handle, schedulePostUpdate, [{ postId: 'post-1', dueAt: 'tomorrow-ish' }], 'dueAt must be an ISO time.');
    });

    it('unschedulePost needs a post id', async () => {
      await expectRejected(handle, unschedulePostUpdate, [{ postId: '' }], 'postId is required.');
    });

    it('testPost needs a post id', async () => {
      await expectRejected(handle, testPostUpdate, [{ postId: '' }], 'postId is required.');
    });

    it('resolveOverdue needs overdue posts', async () => {
      await expectRejected(handle, resolveOverdueUpdate, [{ choice: 'publishNow' }], /^No overdue posts are waiting for a decision/);
    });

    it('resolveOverdue needs a known choice', async () => {
      await expectRejected(handle, resolveOverdueUpdate, [{ choice: 'later' } as never], 'choice must be publishNow, skip or reschedule.');
    });

    it('accepts the same messages when they are valid', async () => {
      expect(await handle.executeUpdate(schedulePostUpdate, { args: [{ postId: 'post-1', dueAt: await world.isoIn(HOUR) }] })).toEqual({ position: 1, queued: 1 });
      expect(await handle.executeUpdate(unschedulePostUpdate, { args: [{ postId: 'post-1' }] })).toEqual({ removed: true });
    });
  });

  it('refreshNow waits until the account has its first credentials', async () => {
    let inspecting!: Hold;
    const { handle } = await world.start({ prepare: (stub) => (inspecting = stub.hold('connectCredentials')) });
    await inspecting.started;
    await expectRejected(handle, refreshNowUpdate, [], 'The account is still connecting; try again in a moment.');
    inspecting.release();
    await reachStatus(handle, 'active');
  });

  it('checkPremium is for X accounts only', async () => {
    const { handle } = await world.connect({ platform: 'linkedin' });
    await expectRejected(handle, checkPremiumUpdate, [], 'Only X accounts have a Premium status.');
  });

  describe('on an expired account', () => {
    let handle: AccountHandle;
    beforeAll(async () => {
      let stub: StubAccount;
      ({ stub, handle } = await world.connect());
      await handle.signal(revokedSignal, { reason: REVOKED });
      await notified(stub, 'expired');
    });

    it('refreshNow asks for a reconnect', async () => {
      // The platform's words, when it gave any, say why.
      await expectRejected(handle, refreshNowUpdate, [], `The token has expired (${REVOKED.detail}); reconnect instead.`);
    });

    it('checkPremium asks for a reconnect', async () => {
      await expectRejected(handle, checkPremiumUpdate, [], 'The token has expired; reconnect first.');
    });

    it('testPost says why the account cannot publish', async () => {
      await expectRejected(handle, testPostUpdate, [{ postId: 'post-1' }], `The token has expired (${REVOKED.detail}); reconnect the account first.`);
    });
  });

  describe('with posts that fell due while the account was expired', () => {
    let handle: AccountHandle;
    beforeAll(async () => {
      let stub: StubAccount;
      ({ stub, handle } = await world.connect({ input: { overdueDecisionMs: 10 * 60_000 } }));
      const dueAt = await world.isoIn(60_000);
      await handle.executeUpdate(schedulePostUpdate, { args: [{ postId: 'post-1', dueAt }] });
      await handle.signal(revokedSignal, { reason: REVOKED });
      await notified(stub, 'expired');
      await world.env.sleep(2 * 60_000);
      const reconnected = await handle.executeUpdate(reconnectUpdate);
      expect(reconnected.state.queue.overdue?.postIds).toEqual(['post-1']);
    });

    it('resolveOverdue reschedules only into the future', async () => {
      const past = await world.isoIn(-60_000);
      await expectRejected(handle, resolveOverdueUpdate, [{ choice: 'reschedule', at: past }], 'The new time must be in the future.');
    });
  });

  describe('while a disconnect is under way', () => {
    let stub: StubAccount;
    let handle: AccountHandle;
    let notifying: Hold;
    let disconnecting: Promise<unknown>;
    beforeAll(async () => {
      ({ stub, handle } = await world.connect());
      notifying = stub.hold('notify');
      disconnecting = handle.executeUpdate(disconnectUpdate);
      await notifying.started;
    });
    afterAll(async () => {
      notifying.release();
      await disconnecting;
      await handle.result();
    });

    it('reconnect says to connect a new account', async () => {
      await expectRejected(handle, reconnectUpdate, [], 'This account was disconnected; connect it again as a new account.');
    });

    it('a second disconnect is refused', async () => {
      await expectRejected(handle, disconnectUpdate, [], 'This account is already disconnected.');
    });

    it('refreshNow is refused', async () => {
      await expectRejected(handle, refreshNowUpdate, [], 'This account was disconnected.');
    });

    it('schedulePost says to choose another account', async () => {
      await expectRejected(handle, schedulePostUpdate, [{ postId: 'post-1', dueAt: await world.isoIn(HOUR) }], 'This account was disconnected; choose another account.');
    });

    it('testPost says the account cannot publish', async () => {
      await expectRejected(handle, testPostUpdate, [{ postId: 'post-1' }], 'The account cannot publish right now; reconnect it first.');
    });
  });
});
