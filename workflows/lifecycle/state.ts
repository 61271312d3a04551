// The account lifecycle as a pure, total transition function. No I/O, no clock, no randomness: time
// and jitter arrive in events; the shell executes the returned effects in order.
import type { Failure, PlatformId, TokenPolicy } from '../../platforms/types.js';
import type {
  CredentialsEvent,
  LifecycleConfig,
  LifecycleEffect,
  LifecycleEvent,
  LifecycleState,
  LifecycleStatus,
  Lifetimes,
  NotifyEffect,
  Operation,
  OperationTrigger,
  Reason,
  SchemaVersion,
  TransitionResult,
} from './types.js';
import {
  cannotRenewReason,
  dataAccessExpiredReason,
  noResultMessage,
  reauthReason,
  renewalTooEarlyReason,
  retryReason,
  tokenExpiredReason,
} from './reasons.js';
import { describeNext, dueWarning, expiryDeadline, isLive } from './schedule.js';
import { plannedCheckAt, plannedGrantRenewalAt } from './need-rules.js';
import { DEFAULT_WARNING_LEAD_MS, IN_FLIGHT_TIMEOUT_MS, MINUTE, renewalClosesAt, renewalOpensAt, retryAt } from './timing.js';
import { issueToken, revalidatedToken } from './tokens.js';
import { CURRENT_SCHEMA, rulesOf } from './versions.js';

export interface AccountInput {
  accountId: string;
  platform: PlatformId;
  config?: Partial<LifecycleConfig>;
  /** Default: the current schema (2). The shell starts schema 1 only while replaying a history from before it. */
  schemaVersion?: SchemaVersion;
}

const nonNegative = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** Settings from the shell, with the defaults for what is missing or malformed. */
function configOf(config: Partial<LifecycleConfig> | undefined, schemaVersion: SchemaVersion): LifecycleConfig {
  const result: LifecycleConfig = { warningLeadMs: nonNegative(config?.warningLeadMs) ? config.warningLeadMs : DEFAULT_WARNING_LEAD_MS };
  if (schemaVersion === 2) {
    if (nonNegative(config?.checkEveryMs) && config.checkEveryMs > 0) result.checkEveryMs = config.checkEveryMs;
    if (nonNegative(config?.publishLeadMs)) result.publishLeadMs = config.publishLeadMs;
  }
  return result;
}

/** The state right after a connect: `active` with the new token's schedule, not yet caught up. */
export function initialState(account: AccountInput, connected: CredentialsEvent): LifecycleState {
  const schemaVersion = account.schemaVersion ?? CURRENT_SCHEMA;
  const state: LifecycleState = {
    schemaVersion,
    accountId: account.accountId,
    platform: account.platform,
    status: 'active',
    policy: connected.policy,
    config: configOf(account.config, schemaVersion),
    token: { issuedAt: connected.now },
    consecutiveFailures: 0,
    transitions: 0,
  };
  issueToken(state, connected.now, connected.lifetimes, connected.jitter, true);
  return state;
}

/**
 * What the shell runs on connect: the initial state, caught up at once (a token can be born inside
 * its warning window, or dead), and its effects, which always include recording the projection.
 */
export function startLifecycle(account: AccountInput, connected: CredentialsEvent): TransitionResult {
  const { state, effects } = transition(initialState(account, connected), { type: 'wake', now: connected.now });
  if (effects.some((effect) => effect.type === 'recordStatus')) return { state, effects };
  return { state, effects: [{ type: 'recordStatus' }, ...effects] };
}

interface Draft {
  /** The state being built: a copy of the one passed in. */
  state: LifecycleState;
  /** Revoke the credentials at the platform (disconnect); runs before everything else. */
  revoke: boolean;
  notifications: NotifyEffect[];
  operations: LifecycleEffect[];
}

export function transition(state: LifecycleState, event: LifecycleEvent): TransitionResult {
  if (!isWellFormed(event) || state.status === 'disconnected') return { state, effects: [] };
  if (event.type === 'nextPostChanged') return { state: withNextPost(state, event.dueAt), effects: [] };
  const draft: Draft = { state: { ...state, token: { ...state.token } }, revoke: false, notifications: [], operations: [] };
  const { now } = event;

  switch (event.type) {
    case 'rulesMigrated':
      migrate(draft, event.policy, event.config, event.jitter);
      break;
    case 'connected':
    case 'reconnected':
      onCredentials(draft, event);
      break;
    case 'renewalSucceeded':
      catchUp(draft, now);
      onRenewalSucceeded(draft, now, event.lifetimes, event.jitter, event.policy);
      break;
    case 'validationSucceeded':
      catchUp(draft, now);
      onValidationSucceeded(draft, now, event.dataAccessSec, event.jitter);
      break;
    case 'renewalFailed':
    case 'validationFailed':
      catchUp(draft, now);
      onOperationFailed(draft, event.type === 'renewalFailed' ? 'renew' : 'validate', event.failure, now, event.jitter);
      break;
    case 'wake':
      onWake(draft, now);
      break;
    case 'refreshRequested':
      catchUp(draft, now);
      onRefreshRequested(draft, now);
      break;
    case 'accessTokenRejected':
      catchUp(draft, now);
      onAccessTokenRejected(draft, now, event.reason);
      break;
    case 'revokedByPlatform':
      if (draft.state.status === 'expired') draft.state.reason = event.reason;
      else expire(draft, event.reason);
      break;
    case 'disconnectRequested':
      disconnect(draft);
      break;
  }
  if (event.type !== 'wake') catchUp(draft, now);
  return finish(draft, state);
}

function isWellFormed(event: LifecycleEvent | null | undefined): event is LifecycleEvent {
  return typeof event === 'object' && event !== null && typeof event.type === 'string' && typeof event.now === 'number' && Number.isFinite(event.now);
}

/** Schema 2 only: the due time of the queue's next post (a malformed one counts as none). */
function withNextPost(state: LifecycleState, dueAt: number | undefined): LifecycleState {
  if (state.schemaVersion !== 2) return state;
  const next = typeof dueAt === 'number' && Number.isFinite(dueAt) ? dueAt : undefined;
  if (next === state.nextPostAt) return state;
  const { nextPostAt: _previous, ...rest } = state;
  return next === undefined ? rest : { ...rest, nextPostAt: next };
}

/**
 * Schema 1 → 2: the same token times, re-planned by need with the adapter's current policy. The
 * refresh token of an idle-limited policy is taken as last used when the current token was issued.
 */
function migrate(draft: Draft, policy: TokenPolicy, config: Partial<LifecycleConfig>, jitter: number): void {
  const state = draft.state;
  if (state.schemaVersion === 2) return;
  const validateAt = state.validateAt;
  state.schemaVersion = 2;
  state.policy = policy;
  state.config = configOf({ ...state.config, ...config }, 2);
  state.validateAt = undefined;
  if (!isLive(state)) return;
  const { token } = state;
  const refreshes = policy.renewal === 'refresh' || policy.renewal === 'rotatingRefresh';
  if (refreshes && token.refreshExpiresAt === undefined && policy.refreshIdleSec !== undefined) {
    token.refreshExpiresAt = token.issuedAt + policy.refreshIdleSec * 1000;
    token.refreshIssuedAt = token.issuedAt;
  }
  state.lastCheckedAt = token.issuedAt;
  state.renewAt = plannedGrantRenewalAt(policy, token, jitter);
  state.checkAt = policy.renewal === 'validate' && validateAt !== undefined ? validateAt : plannedCheckAt(state, token.issuedAt, jitter);
}

// ---- status changes -------------------------------------------------------------------------

function changeStatus(draft: Draft, to: LifecycleStatus, notice: Omit<NotifyEffect, 'type' | 'dedupeKey'>): void {
  const state = draft.state;
  state.status = to;
  state.transitions += 1;
  draft.notifications.push({ type: 'notify', ...notice, dedupeKey: `${state.accountId}:${state.transitions}` });
}

function clearSchedule(state: LifecycleState): void {
  state.renewAt = undefined;
  state.validateAt = undefined;
  state.checkAt = undefined;
  state.retry = undefined;
  state.inFlight = undefined;
  state.warning = undefined;
  state.notice = undefined;
}

function expire(draft: Draft, reason: Reason): void {
  if (!isLive(draft.state)) return;
  clearSchedule(draft.state);
  draft.state.reason = reason;
  changeStatus(draft, 'expired', { kind: 'expired', reason });
}

function disconnect(draft: Draft): void {
  clearSchedule(draft.state);
  draft.state.reason = undefined;
  draft.revoke = true;
  changeStatus(draft, 'disconnected', { kind: 'disconnected' });
}

/** Apply what time alone decides: closed renewal windows, reached deadlines, due warnings. */
function catchUp(draft: Draft, now: number): void {
  const state = draft.state;
  if (!isLive(state)) return;
  const closes = renewalClosesAt(state.policy, state.token);
  if (closes !== undefined && now >= closes) {
    state.renewAt = undefined;
    if (state.retry?.op === 'renew') state.retry = undefined;
  }
  const deadline = expiryDeadline(state);
  if (deadline && now >= deadline.at && !state.inFlight) {
    expire(draft, tokenExpiredReason(state.platform, deadline.at, deadline.kind));
    return;
  }
  const due = dueWarning(state, now);
  if (due) {
    if (state.status === 'active') {
      state.warning = { deadline: due.deadline, reason: due.reason };
      changeStatus(draft, 'expiring', { kind: 'expiring', reason: due.reason, deadline: due.deadline });
    } else if (state.warning?.deadline !== due.deadline) {
      state.warning = { deadline: due.deadline, reason: due.reason };
    }
  } else if (state.status === 'expiring') {
    state.warning = undefined;
    changeStatus(draft, 'active', { kind: 'recovered' });
  }
}

// ---- event handlers -------------------------------------------------------------------------

function onCredentials(draft: Draft, event: CredentialsEvent): void {
  const state = draft.state;
  const was = state.status;
  state.policy = event.policy;
  issueToken(state, event.now, event.lifetimes, event.jitter, true);
  state.retry = undefined;
  state.inFlight = undefined; // a result of the old credentials' operation is ignored when it arrives
  state.warning = undefined;
  state.notice = undefined;
  state.reason = undefined;
  state.consecutiveFailures = 0;
  state.rejectedTokenIssuedAt = undefined;
  state.postRenewalFor = undefined;
  if (was !== 'active') changeStatus(draft, 'active', { kind: 'reconnected' });
}

function onRenewalSucceeded(draft: Draft, now: number, lifetimes: Lifetimes, jitter: number, policy: TokenPolicy | undefined): void {
  const state = draft.state;
  if (!isLive(state) || state.inFlight?.op !== 'renew') return; // not ours (stale, or after a reconnect/expiry)
  state.inFlight = undefined;
  if (policy && state.schemaVersion === 2) state.policy = policy;
  issueToken(state, now, lifetimes, jitter, false);
  state.retry = undefined;
  state.consecutiveFailures = 0;
  state.notice = undefined;
}

function onValidationSucceeded(draft: Draft, now: number, dataAccessSec: number | undefined, jitter: number): void {
  const state = draft.state;
  if (!isLive(state) || state.inFlight?.op !== 'validate') return;
  state.inFlight = undefined;
  state.token = revalidatedToken(state.token, dataAccessSec, now);
  rulesOf(state).planValidated(state, now, jitter);
  state.retry = undefined;
  state.consecutiveFailures = 0;
  state.notice = undefined;
}

function onOperationFailed(draft: Draft, op: Operation, failure: Failure, now: number, jitter: number): void {
  const state = draft.state;
  if (!isLive(state) || state.inFlight?.op !== op) return;
  state.inFlight = undefined;
  applyFailure(draft, op, failure, now, jitter);
}

function applyFailure(draft: Draft, op: Operation, failure: Failure, now: number, jitter: number): void {
  const state = draft.state;
  const rules = rulesOf(state);
  if (failure.kind === 'reauthRequired') {
    // A refused check of a renewable token: the renewal decides (it expires the account if refused too).
    if (op === 'validate' && rules.renewsRefusedCheck(state, now)) {
      state.rejectedTokenIssuedAt = state.token.issuedAt;
      startOperation(draft, 'renew', 'rejected', now);
      return;
    }
    expire(draft, reauthReason(failure));
    return;
  }
  const dataAccessEnd = state.token.dataAccessExpiresAt;
  if (op === 'validate' && failure.kind === 'invalid' && dataAccessEnd !== undefined && now >= dataAccessEnd) {
    expire(draft, dataAccessExpiredReason(state.platform, dataAccessEnd, failure));
    return;
  }
  state.consecutiveFailures += 1;
  const closes = op === 'renew' ? renewalClosesAt(state.policy, state.token) : undefined;
  if (closes !== undefined && now >= closes) {
    state.retry = undefined; // nothing left to retry; catchUp warns or expires
    state.renewAt = undefined;
    return;
  }
  const { mustPrecede, stakeMs } = rules.retryStake(state, op, now);
  let at = retryAt({ now, failure, attempt: state.consecutiveFailures, jitter, mustPrecede, tokenLifetimeMs: stakeMs });
  if (op === 'renew') at = Math.max(at, renewalOpensAt(state.policy, state.token));
  state.retry = { op, at, attempt: state.consecutiveFailures, reason: retryReason(state.platform, op, failure, at, now) };
}

function startOperation(draft: Draft, op: Operation, trigger: OperationTrigger, now: number): void {
  draft.state.inFlight = { op, since: now };
  draft.operations.push({ type: op, trigger });
}

function onWake(draft: Draft, now: number): void {
  const state = draft.state;
  if (!isLive(state)) return;
  if (state.inFlight && now >= state.inFlight.since + IN_FLIGHT_TIMEOUT_MS) {
    const op = state.inFlight.op;
    state.inFlight = undefined;
    applyFailure(draft, op, { kind: 'transient', message: noResultMessage(op) }, now, 0.5);
  }
  catchUp(draft, now);
  if (!isLive(state) || state.inFlight) return;
  const due = rulesOf(state).dueOperation(state, now);
  if (due) startOperation(draft, due.op, due.trigger, now);
}

function onRefreshRequested(draft: Draft, now: number): void {
  const state = draft.state;
  if (!isLive(state) || state.inFlight) return;
  if (state.policy.renewal === 'validate') {
    startOperation(draft, 'validate', 'requested', now);
    return;
  }
  const deadline = expiryDeadline(state)?.at;
  if (state.policy.renewal === 'none') {
    state.notice = cannotRenewReason(state.platform, deadline);
    return;
  }
  const opens = renewalOpensAt(state.policy, state.token);
  const closes = renewalClosesAt(state.policy, state.token);
  if (closes !== undefined && (now >= closes || opens >= closes)) state.notice = cannotRenewReason(state.platform, deadline);
  else if (now < opens) state.notice = renewalTooEarlyReason(state.platform, opens, now);
  else startOperation(draft, 'renew', 'requested', now);
}

/**
 * The platform refused the access token (a publish or a read got 401). A renewable token gets one
 * renewal (refresh-then-retry). One that nothing can renew is dead: with the platform's reason the
 * account expires; without one (an ambiguous refusal) nothing changes.
 */
function onAccessTokenRejected(draft: Draft, now: number, reason: Reason | undefined): void {
  const state = draft.state;
  if (!isLive(state) || state.inFlight) return;
  if (state.rejectedTokenIssuedAt === state.token.issuedAt) return; // this token's renewal is already under way or being retried
  const closes = renewalClosesAt(state.policy, state.token);
  const cannotRenew = state.policy.renewal === 'none' || (state.policy.renewal !== 'validate' && closes !== undefined && now >= closes);
  if (cannotRenew) {
    if (reason) expire(draft, reason);
    return;
  }
  state.rejectedTokenIssuedAt = state.token.issuedAt;
  startOperation(draft, state.policy.renewal === 'validate' ? 'validate' : 'renew', 'rejected', now);
}

// ---- output ---------------------------------------------------------------------------------

function visible(state: LifecycleState): string {
  const extras = rulesOf(state).visibleExtras(state);
  return JSON.stringify([state.status, visibleReason(state.reason), state.token, state.warning?.deadline ?? null, describeNext(state), ...extras]);
}

/**
 * A reason as pages show it: its time to the minute. A retry time that moves by seconds is no news
 * worth a status write, and histories recorded when reasons were sentences (minutes in their words)
 * replay with the same writes.
 */
function visibleReason(reason: Reason | undefined): unknown {
  if (!reason) return null;
  const minute = reason.at === undefined ? null : Math.floor(reason.at / MINUTE);
  return [reason.code, minute, reason.count ?? null, reason.detail ?? null, reason.message ?? null, visibleReason(reason.cause)];
}

function finish(draft: Draft, before: LifecycleState): TransitionResult {
  const state = draft.state;
  if (isLive(state)) state.reason = state.warning?.reason ?? state.retry?.reason ?? state.notice;
  dropUndefined(state);
  const effects: LifecycleEffect[] = draft.revoke ? [{ type: 'revoke' }] : [];
  if (visible(state) !== visible(before)) effects.push({ type: 'recordStatus' });
  effects.push(...draft.notifications, ...draft.operations);
  return { state: state, effects };
}

/** Keep the state free of `undefined` members so it equals its own JSON round trip. */
function dropUndefined(state: LifecycleState): void {
  const record = state as unknown as Record<string, unknown>;
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
}
