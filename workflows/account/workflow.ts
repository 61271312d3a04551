import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AccountSummary, CredentialFacts, LifecycleActivities, RevokeResult } from '../../activities/lifecycle/contract.js';
import type { PublishingActivities, PublishResult } from '../../activities/publishing/contract.js';
import { PLATFORM_NAMES, type Failure } from '../../platforms/types.js';
import { describeNext, nextWakeAt, startLifecycle, transition } from '../lifecycle/index.js';
import type { LifecycleEffect, LifecycleEvent, LifecycleState, Reason } from '../lifecycle/types.js';
import {
  ACCOUNT_DISCONNECTED,
  emptyQueue,
  failedTransiently,
  firstReady,
  holdOverdue,
  MAX_TRANSIENT_FAILURES,
  nextPublishAt,
  rateLimited,
  remove,
  resolveOverdue,
  schedule,
  type PublishQueue,
} from '../publishing/queue.js';
import { NEXT_ACTION_AT, OWNER, PEN_NAME, PLATFORM, STATUS, TOKEN_EXPIRES_AT } from '../search-attributes.js';
import {
  checkPremiumUpdate,
  disconnectUpdate,
  reconnectUpdate,
  refreshNowUpdate,
  resolveOverdueUpdate,
  revokedSignal,
  schedulePostUpdate,
  stateQuery,
  testPostUpdate,
  unschedulePostUpdate,
  type AccountStateView,
  type DisconnectResult,
  type TestPostResult,
} from './messages.js';
import { renewalTaskQueue } from './task-queues.js';

// The thin shell around the pure lifecycle machine: it owns one account's state, sleeps until the
// machine's next wake time or a message, feeds events in, and executes the effects that come out
// (activities, status projection, notifications). It is the only writer of the account's
// lifecycle, so renewals of rotating refresh tokens can never race.

export interface AccountWorkflowInput {
  accountId: string;
  /** Present after continue-as-new. */
  carried?: CarriedState;
  /** Continue-as-new once history reaches this many events (the server may suggest it earlier). */
  historyEventLimit?: number;
  /** Lifecycle settings from config (`config.lifecycle`). */
  warningLeadMs?: number;
  /** After a reconnect, how long posts that fell due while expired wait for the user's choice (`config.publishing`). */
  overdueDecisionMs?: number;
}

interface CarriedState {
  account: AccountSummary;
  lifecycle: LifecycleState;
  knownVersion: number;
  projectionSequence: number;
  queue?: PublishQueue;
}

const RECORDING = { startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } } as const;
const PLATFORM_CALL = { startToCloseTimeout: '1 minute', retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 } } as const;

const { describeAccount } = proxyActivities<LifecycleActivities>({ ...RECORDING, summary: 'Read the account' });
const { recordStatus } = proxyActivities<LifecycleActivities>({ ...RECORDING, summary: 'Record the status pages show' });
const { notify } = proxyActivities<LifecycleActivities>({
  ...RECORDING,
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 8 },
  summary: 'Notify the owner (in-app, email, webhook)',
});
const { inspectCredentials } = proxyActivities<LifecycleActivities>({ ...PLATFORM_CALL, summary: 'Check the stored credentials' });
const { validateCredentials } = proxyActivities<LifecycleActivities>({ ...PLATFORM_CALL, summary: 'Validate the token with the platform' });
const { revokeCredentials } = proxyActivities<LifecycleActivities>({ ...PLATFORM_CALL, summary: 'Revoke at the platform and forget the tokens' });
const { checkPremium } = proxyActivities<LifecycleActivities>({ ...PLATFORM_CALL, summary: 'Read X Premium status' });
// Retries here only cover crashes and infrastructure errors: the idempotency key makes a repeated call safe.
// One platform call (10 s timeout) and two writes; a crashed worker's attempt is retried after this.
const { publishPost } = proxyActivities<PublishingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
  summary: 'Publish a post',
});
const { failTarget, settleOverdue, failScheduledPosts } = proxyActivities<PublishingActivities>({ ...RECORDING, summary: 'Record post outcomes' });

const DEFAULT_OVERDUE_DECISION_MS = 10 * 60_000;
const SKIPPED: Reason = { code: 'skipped', message: 'Skipped after the reconnect, as you chose' };

function renewActivity(platform: AccountSummary['platform']) {
  return proxyActivities<LifecycleActivities>({
    ...PLATFORM_CALL,
    taskQueue: renewalTaskQueue(workflowInfo().taskQueue, platform),
    summary: `Renew the ${PLATFORM_NAMES[platform]} token`,
  }).renewCredentials;
}

function asFailure(error: unknown): Failure {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  return { kind: 'transient', message: `Tether could not complete the call: ${message}` };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export async function accountWorkflow(input: AccountWorkflowInput): Promise<DisconnectResult | undefined> {
  const { accountId } = input;
  let account = input.carried?.account;
  let state = input.carried?.lifecycle;
  let knownVersion = input.carried?.knownVersion ?? 0;
  let projectionSequence = input.carried?.projectionSequence ?? 0;
  /** Increases whenever state changes, so the main loop recomputes its wake time. */
  let changes = 0;
  let disconnectResult: DisconnectResult | undefined;
  let lastRevoke: RevokeResult | undefined;
  let queue: PublishQueue = input.carried?.queue ?? emptyQueue();
  const canPublish = () => state?.status === 'active' || state?.status === 'expiring';
  // Before the handlers: an update can arrive in the very first activation.
  const finished = () => state?.status === 'disconnected' || disconnectResult !== undefined;

  // Transitions and their effects run one at a time: messages and timers queue on this chain.
  let chain: Promise<unknown> = Promise.resolve();
  const exclusively = <T>(work: () => Promise<T>): Promise<T> => {
    const run = chain.then(work);
    chain = run.catch(() => undefined);
    return run;
  };

  const view = (): AccountStateView => ({
    accountId,
    platform: account?.platform ?? 'x',
    status: state?.status ?? 'connecting',
    reason: state?.reason,
    tokenExpiresAt: iso(state?.token.accessExpiresAt),
    nextAction: state ? describeNext(state).action : 'check the new credentials',
    nextActionAt: state ? iso(describeNext(state).at) : undefined,
    queuePaused: state?.status === 'expired',
    queue: {
      queued: queue.entries.length,
      nextPublishAt: iso(nextPublishAt(queue)),
      overdue: queue.overdue && { postIds: queue.overdue.postIds, decideBy: iso(queue.overdue.decideBy)! },
    },
  });

  async function record(): Promise<void> {
    if (!state || !account) return;
    const next = describeNext(state);
    // Workflow time keeps the sequence increasing across runs too: a reconnected account's new run
    // must outrank the projection its finished predecessor wrote.
    projectionSequence = Math.max(projectionSequence + 1, Date.now());
    await recordStatus({
      accountId,
      status: state.status,
      reason: state.reason,
      tokenExpiresAt: state.token.accessExpiresAt,
      warningDeadline: state.warning?.deadline,
      nextAction: next.action,
      nextActionAt: next.at,
      queuePaused: state.status === 'expired',
      sequence: projectionSequence,
    });
    upsertSearchAttributes([
      { key: STATUS, value: state.status },
      { key: TOKEN_EXPIRES_AT, value: state.token.accessExpiresAt === undefined ? null : new Date(state.token.accessExpiresAt) },
      { key: NEXT_ACTION_AT, value: next.at === undefined ? null : new Date(next.at) },
    ]);
    const details = [
      `**Status:** ${state.status}`,
      state.reason ? `**Reason:** ${state.reason.message}` : undefined,
      `**Next:** ${next.action}${next.at === undefined ? '' : ` at ${new Date(next.at).toISOString()}`}`,
      state.token.accessExpiresAt === undefined ? '**Token:** does not expire' : `**Token expires:** ${new Date(state.token.accessExpiresAt).toISOString()}`,
      queue.entries.length > 0 ? `**Queue:** ${queue.entries.length} post(s)${state.status === 'expired' ? ', paused until reconnect' : ''}` : undefined,
    ];
    setCurrentDetails(details.filter(Boolean).join('\n\n'));
  }

  async function renew(): Promise<LifecycleEvent> {
    try {
      const result = await renewActivity(account!.platform)({ accountId, knownVersion });
      if (result.outcome === 'failed') return { type: 'renewalFailed', failure: result.failure, now: Date.now(), jitter: Math.random() };
      knownVersion = result.facts.version;
      return { type: 'renewalSucceeded', lifetimes: result.facts.lifetimes, now: Date.now(), jitter: Math.random() };
    } catch (error) {
      return { type: 'renewalFailed', failure: asFailure(error), now: Date.now(), jitter: Math.random() };
    }
  }

  async function validate(): Promise<LifecycleEvent> {
    try {
      const result = await validateCredentials(accountId);
      if (result.outcome === 'failed') return { type: 'validationFailed', failure: result.failure, now: Date.now(), jitter: Math.random() };
      return { type: 'validationSucceeded', dataAccessSec: result.dataAccessSec, now: Date.now(), jitter: Math.random() };
    } catch (error) {
      return { type: 'validationFailed', failure: asFailure(error), now: Date.now(), jitter: Math.random() };
    }
  }

  async function execute(effects: LifecycleEffect[]): Promise<void> {
    for (const effect of effects) {
      switch (effect.type) {
        case 'recordStatus':
          await record();
          break;
        case 'notify':
          try {
            await notify({ accountId, kind: effect.kind, reason: effect.reason, deadline: effect.deadline, dedupeKey: effect.dedupeKey });
          } catch (error) {
            // The in-app notification exists once the activity has run at all; delivery gave up.
            log.warn('notification delivery failed', { accountId, kind: effect.kind, error: String(error) });
          }
          break;
        case 'revoke':
          lastRevoke = await revokeCredentials(accountId);
          break;
        case 'renew':
          await apply(await renew());
          break;
        case 'validate':
          await apply(await validate());
          break;
      }
    }
  }

  async function apply(event: LifecycleEvent): Promise<void> {
    if (!state) return;
    const result = transition(state, event);
    state = result.state;
    changes += 1;
    await execute(result.effects);
  }

  /** One publish attempt; the queue learns the outcome. Infrastructure errors count as transient. */
  async function publishOnce(postId: string): Promise<PublishResult> {
    let result: PublishResult;
    try {
      result = await publishPost({ postId, accountId });
    } catch (error) {
      result = { outcome: 'transient', reason: { code: 'platform_unavailable', message: asFailure(error).message } };
    }
    switch (result.outcome) {
      case 'published':
      case 'rejected':
      case 'gone':
        queue = remove(queue, postId).queue;
        break;
      case 'rateLimited':
        queue = rateLimited(queue, result.resetAt);
        break;
      case 'reauthRequired': {
        // The machine renews the token once, or expires the account (pausing the queue) when nothing can.
        const issuedBefore = state?.token.issuedAt;
        await apply({ type: 'accessTokenRejected', reason: result.reason, now: Date.now() });
        // A renewed token is tried at once; the failure still counts, so a platform that refuses every token ends it.
        if (canPublish()) await backOff(postId, result, state?.token.issuedAt !== issuedBefore ? 0 : undefined);
        break;
      }
      case 'transient':
        await backOff(postId, result);
        break;
    }
    changes += 1;
    return result;
  }

  async function backOff(postId: string, result: Extract<PublishResult, { reason: Reason }>, delayMs?: number): Promise<void> {
    const retried = failedTransiently(queue, postId, Date.now(), delayMs);
    queue = retried.queue;
    if (retried.gaveUp) {
      const reason = { code: result.reason.code, message: `Not published after ${MAX_TRANSIENT_FAILURES} attempts: ${result.reason.message}` };
      await failTarget({ postId, accountId, reason });
    }
  }

  /** Publishes every post that is due, in queue order, while the account can publish. */
  async function publishDue(): Promise<void> {
    for (let entry = firstReady(queue, Date.now()); entry && canPublish(); entry = firstReady(queue, Date.now())) {
      await publishOnce(entry.postId);
    }
  }

  async function begin(facts: CredentialFacts, rejection?: Reason): Promise<void> {
    knownVersion = facts.version;
    const connected = { now: Date.now(), policy: facts.policy, lifetimes: facts.lifetimes, jitter: Math.random() };
    if (!state) {
      const started = startLifecycle({ accountId, platform: account!.platform, config: { warningLeadMs: input.warningLeadMs } }, connected);
      state = started.state;
      changes += 1;
      await execute(started.effects);
    } else {
      await apply({ type: 'reconnected', ...connected });
    }
    if (rejection) await apply({ type: 'revokedByPlatform', reason: rejection, now: Date.now() });
  }

  /** Reads (and, after a user connect, verifies) the stored credentials and (re)starts the lifecycle. */
  async function takeCredentials(verifyWithPlatform: boolean): Promise<Reason | undefined> {
    account ??= await describeAccount(accountId);
    const checked = await inspectCredentials({ accountId, verifyWithPlatform });
    if (checked.outcome === 'ok') {
      await begin(checked.facts);
      return undefined;
    }
    const { failure } = checked;
    if (failure.kind === 'reauthRequired' || failure.kind === 'invalid') {
      const reason: Reason = { code: failure.kind === 'reauthRequired' ? failure.code : 'credentials_invalid', message: failure.message };
      const unverified = await inspectCredentials({ accountId, verifyWithPlatform: false });
      if (unverified.outcome === 'ok') await begin(unverified.facts, reason);
      return reason;
    }
    // The platform is unreachable right now: take the credentials as issued and let renewals verify them.
    const unverified = await inspectCredentials({ accountId, verifyWithPlatform: false });
    if (unverified.outcome === 'ok') await begin(unverified.facts);
    return undefined;
  }

  setHandler(stateQuery, view);

  setHandler(reconnectUpdate, () =>
    exclusively(async () => {
      const wasExpired = state?.status === 'expired';
      const rejection = await takeCredentials(true);
      if (wasExpired && canPublish() && queue.entries.length > 0) {
        // Only when posts wait: a change wakes the main loop, which would reschedule its timer.
        queue = holdOverdue(queue, Date.now(), input.overdueDecisionMs ?? DEFAULT_OVERDUE_DECISION_MS);
        changes += 1;
      }
      return rejection ? { accepted: false as const, rejection, state: view() } : { accepted: true as const, state: view() };
    }),
    {
      validator: () => {
        if (finished()) throw new Error('This account was disconnected; connect it again as a new account.');
      },
    },
  );

  setHandler(
    refreshNowUpdate,
    () =>
      exclusively(async () => {
        const issuedBefore = state?.token.issuedAt;
        await apply({ type: 'refreshRequested', now: Date.now() });
        const current = view();
        const until = current.tokenExpiresAt ?? 'it is revoked';
        // A validation, or a renewal already under way, leaves the token as it was.
        const renewed = state?.token.issuedAt !== issuedBefore;
        const outcome = current.reason?.message ?? (renewed ? `Renewed; the token is valid until ${until}.` : `Nothing needed renewing; the token is valid until ${until}.`);
        return { state: current, outcome };
      }),
    {
      validator: () => {
        if (!state) throw new Error('The account is still connecting; try again in a moment.');
        if (state.status === 'expired') throw new Error(`The token has expired (${state.reason?.message ?? 'reconnect required'}); reconnect instead.`);
        if (finished()) throw new Error('This account was disconnected.');
      },
    },
  );

  setHandler(
    disconnectUpdate,
    () =>
      exclusively(async () => {
        account ??= await describeAccount(accountId);
        if (state) await apply({ type: 'disconnectRequested', now: Date.now() });
        else lastRevoke = await revokeCredentials(accountId);
        const affectedPosts = queue.entries.length > 0 ? await failScheduledPosts({ accountId, reason: ACCOUNT_DISCONNECTED }) : 0;
        queue = emptyQueue();
        disconnectResult = {
          revokedAtPlatform: lastRevoke?.revokedAtPlatform ?? false,
          message: lastRevoke?.message ?? 'Disconnected.',
          affectedPosts,
        };
        changes += 1;
        return disconnectResult;
      }),
    {
      validator: () => {
        if (state?.status === 'disconnected') throw new Error('This account is already disconnected.');
      },
    },
  );

  setHandler(
    checkPremiumUpdate,
    () =>
      exclusively(async () => {
        const result = await checkPremium(accountId);
        if (result.outcome === 'ok') return { ok: true as const, premium: result.premium };
        const { failure } = result;
        if (failure.kind === 'reauthRequired') await apply({ type: 'accessTokenRejected', reason: { code: failure.code, message: failure.message }, now: Date.now() });
        return { ok: false as const, reason: { code: failure.kind, message: failure.message } };
      }),
    {
      validator: () => {
        if (account && account.platform !== 'x') throw new Error('Only X accounts have a Premium status.');
        if (state?.status === 'expired') throw new Error('The token has expired; reconnect first.');
      },
    },
  );

  setHandler(
    schedulePostUpdate,
    ({ postId, dueAt }) => {
      const scheduled = schedule(queue, { postId, dueAt: Date.parse(dueAt) });
      queue = scheduled.queue;
      changes += 1;
      const waitsForReconnect = state?.status === 'expired' ? (state.reason ?? { code: 'expired', message: 'The token has expired' }) : undefined;
      return { position: scheduled.position, queued: queue.entries.length, waitsForReconnect };
    },
    {
      validator: ({ postId, dueAt }) => {
        if (finished()) throw new Error('This account was disconnected; choose another account.');
        if (typeof postId !== 'string' || postId.length === 0) throw new Error('postId is required.');
        if (!Number.isFinite(Date.parse(dueAt))) throw new Error('dueAt must be an ISO time.');
      },
    },
  );

  setHandler(unschedulePostUpdate, ({ postId }) => {
    const removed = remove(queue, postId);
    queue = removed.queue;
    changes += 1;
    return { removed: removed.removed };
  });

  setHandler(
    resolveOverdueUpdate,
    async (decision) => {
      const resolved = resolveOverdue(queue, decision.choice === 'reschedule' ? { choice: 'reschedule', at: Date.parse(decision.at) } : decision);
      queue = resolved.queue;
      changes += 1;
      if (decision.choice === 'skip') await settleOverdue({ accountId, postIds: resolved.postIds, change: { skip: SKIPPED } });
      if (decision.choice === 'reschedule') await settleOverdue({ accountId, postIds: resolved.postIds, change: { dueAt: Date.parse(decision.at) } });
      return { postIds: resolved.postIds };
    },
    {
      validator: (decision) => {
        if (!queue.overdue) throw new Error('No overdue posts are waiting for a decision; they may have been published already.');
        if (decision.choice === 'reschedule' && !(Date.parse(decision.at) > Date.now())) throw new Error('The new time must be in the future.');
      },
    },
  );

  setHandler(
    testPostUpdate,
    ({ postId }: { postId: string }) =>
      exclusively(async (): Promise<TestPostResult> => {
        if (!canPublish()) return { outcome: 'failed', reason: state?.reason ?? { code: 'not_ready', message: 'The account cannot publish right now.' } };
        const result = await publishOnce(postId);
        if (result.outcome === 'published') return { outcome: 'published', url: result.url };
        if (result.outcome === 'gone') return { outcome: 'failed', reason: { code: 'gone', message: 'The test post was removed before it went out.' } };
        // A test shows the first answer; it is not retried later.
        queue = remove(queue, postId).queue;
        if (result.outcome !== 'rejected') await failTarget({ postId, accountId, reason: result.reason });
        return { outcome: 'failed', reason: result.reason };
      }),
    {
      validator: (_input) => {
        if (!canPublish()) throw new Error(state?.reason?.message ?? 'The account cannot publish right now; reconnect it first.');
      },
    },
  );

  // Async, so allHandlersFinished() waits for the transition before a continue-as-new.
  setHandler(revokedSignal, async ({ reason }) => {
    await exclusively(() => apply({ type: 'revokedByPlatform', reason, now: Date.now() }));
  });

  if (!input.carried) {
    await exclusively(async () => {
      account ??= await describeAccount(accountId);
      upsertSearchAttributes([
        { key: PLATFORM, value: account.platform },
        { key: PEN_NAME, value: account.penName },
        { key: OWNER, value: account.ownerId },
      ]);
      if (!state) await takeCredentials(false);
    });
  }

  const historyLimit = input.historyEventLimit ?? 10_000;
  while (!finished()) {
    const seen = changes;
    const lifecycleWakeAt = state ? nextWakeAt(state) : undefined;
    const publishAt = canPublish() ? nextPublishAt(queue) : undefined;
    const publishFirst = publishAt !== undefined && (lifecycleWakeAt === undefined || publishAt < lifecycleWakeAt);
    const wakeAt = publishFirst ? publishAt : lifecycleWakeAt;
    const summary = publishFirst ? 'publish the next post' : state ? describeNext(state).action : 'wait for credentials';
    const changed =
      wakeAt === undefined
        ? (await condition(() => changes !== seen || historyFull(historyLimit)), true)
        : await condition(() => changes !== seen || historyFull(historyLimit), Math.max(0, wakeAt - Date.now()), { summary });
    if (!changed) {
      if (lifecycleWakeAt !== undefined && lifecycleWakeAt === wakeAt) await exclusively(() => apply({ type: 'wake', now: Date.now() }));
      if (publishAt !== undefined && publishAt === wakeAt) await exclusively(publishDue);
    }

    if (historyFull(historyLimit) && !finished()) {
      await condition(allHandlersFinished);
      await chain;
      if (!account || !state) throw ApplicationFailure.nonRetryable('cannot continue-as-new before the account is initialised');
      await continueAsNew<typeof accountWorkflow>({
        ...input,
        carried: { account, lifecycle: state, knownVersion, projectionSequence, queue },
      });
    }
  }
  await condition(allHandlersFinished);
  return disconnectResult;
}

function historyFull(limit: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= limit;
}
