import type { UpdateDefinition } from '@temporalio/common';
import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { Account, type CarriedState } from './account.js';
import { checkPremiumUpdate, disconnectUpdate, reconnectUpdate, refreshNowUpdate, resolveOverdueUpdate, revokedSignal } from './messages.js';
import { schedulePostUpdate, stateQuery, testPostUpdate, unschedulePostUpdate, type DisconnectResult } from './messages.js';
import { platformWords } from './outcomes.js';

// One connected account's workflow: the message handlers with their validators, and the wake loop
// that sleeps until the lifecycle's next wake or the next post is due, then continues-as-new when
// the history grows long. What the handlers do lives in Account (./account.ts) and its Publisher.
//
// The lock rule: every update and signal handler, and every wake of the loop, runs its body under
// `account.lock`, one at a time in arrival order, so no two of them interleave their activities
// and each sees the state the one before it left. Once it holds the lock an update checks its
// validator again (the state may have changed while it waited) and fails with the same words.
// Validators and the state query only read; they never take the lock.
//
// Handlers that began before this rule (no `serialized-message-handlers` marker in their history)
// run as they did: schedulePost, unschedulePost and resolveOverdue without the lock, and nothing
// re-checked, so the histories of workflows started earlier still replay.
const LOCK_RULE = 'serialized-message-handlers';

export interface AccountWorkflowInput {
  accountId: string;
  /** Present after continue-as-new. */
  carried?: CarriedState;
  /** Continue-as-new once history reaches this many events (the server may suggest it earlier). */
  historyEventLimit?: number;
  /** Lifecycle settings from config (`config.lifecycle`). */
  warningLeadMs?: number;
  /** How often a health check proves the connection still works (default a day). */
  healthCheckMs?: number;
  /** How long before a post is due its renewal starts when the access token would be dead by then (default 10 minutes). */
  publishRenewalLeadMs?: number;
  /** After a reconnect, how long posts that fell due while expired wait for the user's choice (`config.publishing`). */
  overdueDecisionMs?: number;
}

export async function accountWorkflow(input: AccountWorkflowInput): Promise<DisconnectResult | undefined> {
  // Before any handler: an update can arrive in the very first activation.
  const account = new Account(input);
  const locked = <T>(work: () => Promise<T> | T): Promise<T> => account.lock.runExclusive(work);
  const update = <Ret, Args extends unknown[]>(
    message: UpdateDefinition<Ret, Args>,
    run: (...args: Args) => Promise<Ret> | Ret,
    validate: (...args: Args) => void,
    before: 'locked' | 'unlocked' = 'locked',
  ) =>
    setHandler(
      message,
      (...args: Args) => {
        if (!patched(LOCK_RULE)) return before === 'locked' ? locked(() => run(...args)) : run(...args);
        return locked(() => {
          recheck(() => validate(...args));
          return run(...args);
        });
      },
      { validator: validate },
    );

  setHandler(stateQuery, () => account.view());

  update(reconnectUpdate, () => account.reconnect(), () => {
    if (account.finished()) throw new Error('This account was disconnected; connect it again as a new account.');
  });

  update(refreshNowUpdate, () => account.refreshNow(), () => {
    if (!account.status) throw new Error('The account is still connecting; try again in a moment.');
    if (account.status === 'expired') throw new Error(`The token has expired${platformWords(account.reason)}; reconnect instead.`);
    if (account.finished()) throw new Error('This account was disconnected.');
  });

  update(disconnectUpdate, () => account.disconnect(), () => {
    if (account.status === 'disconnected') throw new Error('This account is already disconnected.');
  });

  update(checkPremiumUpdate, () => account.checkPremium(), () => {
    if (account.platform && account.platform !== 'x') throw new Error('Only X accounts have a Premium status.');
    if (account.status === 'expired') throw new Error('The token has expired; reconnect first.');
  });

  update(schedulePostUpdate, (post) => account.publisher.schedule(post), ({ postId, dueAt }) => {
    if (account.finished()) throw new Error('This account was disconnected; choose another account.');
    requirePostId(postId);
    if (!Number.isFinite(Date.parse(dueAt))) throw new Error('dueAt must be an ISO time.');
  }, 'unlocked');

  update(unschedulePostUpdate, ({ postId }) => account.publisher.unschedule(postId), ({ postId }) => requirePostId(postId), 'unlocked');

  update(
    resolveOverdueUpdate,
    (decision) => account.publisher.resolveOverdue(decision.choice === 'reschedule' ? { choice: 'reschedule', at: Date.parse(decision.at) } : decision),
    (decision) => {
      if (!['publishNow', 'skip', 'reschedule'].includes(decision.choice)) throw new Error('choice must be publishNow, skip or reschedule.');
      if (!account.publisher.queue.overdue) throw new Error('No overdue posts are waiting for a decision; they may have been published already.');
      if (decision.choice === 'reschedule' && !(Date.parse(decision.at) > Date.now())) throw new Error('The new time must be in the future.');
    },
    'unlocked',
  );

  update(testPostUpdate, ({ postId }) => account.publisher.testPost(postId), ({ postId }) => {
    if (account.status === 'expired') throw new Error(`The token has expired${platformWords(account.reason)}; reconnect the account first.`);
    if (!account.canPublish()) throw new Error('The account cannot publish right now; reconnect it first.');
    requirePostId(postId);
  });

  setHandler(revokedSignal, ({ reason }) => locked(() => account.revoked(reason)));

  if (!input.carried) await locked(() => account.start());

  const historyLimit = input.historyEventLimit ?? 10_000;
  while (!account.finished()) {
    // A workflow started on the legacy lifecycle rules moves to renew by need on its next task.
    if (account.migrationDue()) await locked(() => account.migrateIfDue());
    const seen = account.changes;
    const next = account.nextWake();
    const wakeUp = () => account.changes !== seen || historyFull(historyLimit);
    const changed = next.at === undefined ? (await condition(wakeUp), true) : await condition(wakeUp, Math.max(0, next.at - Date.now()), { summary: next.summary });
    if (!changed) {
      if (next.lifecycle) await locked(() => account.wake());
      if (next.publish) await locked(() => account.publisher.publishDue());
    }
    if (historyFull(historyLimit) && !account.finished()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof accountWorkflow>({ ...input, carried: account.carried() });
    }
  }
  await condition(allHandlersFinished);
  return account.result;
}

function historyFull(limit: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= limit;
}

function requirePostId(postId: unknown): void {
  if (typeof postId !== 'string' || postId.length === 0) throw new Error('postId is required.');
}

/** A validator that fails once the handler holds the lock fails the update (it was accepted already). */
function recheck(validate: () => void): void {
  try {
    validate();
  } catch (error) {
    throw ApplicationFailure.create({ message: error instanceof Error ? error.message : String(error), nonRetryable: true });
  }
}
