// The account lifecycle as a pure, total transition function. No I/O, no clock, no randomness: time
// and jitter arrive in events; the shell executes the returned effects in order.
import type { Failure, PlatformId } from '../../platforms/types.js';
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
  TokenTimes,
  TransitionResult,
} from './types.js';
import {
  cannotRenewReason,
  dataAccessExpiredReason,
  noResultMessage,
  renewalTooEarlyReason,
  retryReason,
  tokenExpiredReason,
} from './reasons.js';
import { describeNext, dueWarning, expiryDeadline, isLive } from './schedule.js';
import {
  DEFAULT_WARNING_LEAD_MS,
  IN_FLIGHT_TIMEOUT_MS,
  lifetimeMs,
  plannedRenewalAt,
  plannedValidationAt,
  renewalClosesAt,
  renewalOpensAt,
  retryAt,
} from './timing.js';

export interface AccountInput {
  accountId: string;
  platform: PlatformId;
  config?: Partial<LifecycleConfig>;
}

/** The state right after a connect: `active` with the new token's schedule, not yet caught up. */
export function initialState(account: AccountInput, connected: CredentialsEvent): LifecycleState {
  const warningLeadMs = account.config?.warningLeadMs;
  const state: LifecycleState = {
    schemaVersion: 1,
    accountId: account.accountId,
    platform: account.platform,
    status: 'active',
    policy: connected.policy,
    config: { warningLeadMs: typeof warningLeadMs === 'number' && warningLeadMs >= 0 ? warningLeadMs : DEFAULT_WARNING_LEAD_MS },
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
  s: LifecycleState;
  queue: LifecycleEffect[];
  notifications: NotifyEffect[];
  operations: LifecycleEffect[];
}

export function transition(state: LifecycleState, event: LifecycleEvent): TransitionResult {
  if (!isWellFormed(event) || state.status === 'disconnected') return { state, effects: [] };
  const draft: Draft = { s: { ...state, token: { ...state.token } }, queue: [], notifications: [], operations: [] };
  const { now } = event;

  switch (event.type) {
    case 'connected':
    case 'reconnected':
      onCredentials(draft, event);
      break;
    case 'renewalSucceeded':
      catchUp(draft, now);
      onRenewalSucceeded(draft, now, event.lifetimes, event.jitter);
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
      if (draft.s.status === 'expired') draft.s.reason = event.reason;
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

// ---- status changes -------------------------------------------------------------------------

function changeStatus(draft: Draft, to: LifecycleStatus, notice: Omit<NotifyEffect, 'type' | 'dedupeKey'>): void {
  const s = draft.s;
  s.status = to;
  s.transitions += 1;
  draft.notifications.push({ type: 'notify', ...notice, dedupeKey: `${s.accountId}:${s.transitions}` });
}

function clearSchedule(s: LifecycleState): void {
  s.renewAt = undefined;
  s.validateAt = undefined;
  s.retry = undefined;
  s.inFlight = undefined;
  s.warning = undefined;
  s.notice = undefined;
}

function expire(draft: Draft, reason: Reason): void {
  if (!isLive(draft.s)) return;
  clearSchedule(draft.s);
  draft.s.reason = reason;
  draft.queue.push({ type: 'pauseQueue' });
  changeStatus(draft, 'expired', { kind: 'expired', reason });
}

function disconnect(draft: Draft): void {
  clearSchedule(draft.s);
  draft.s.reason = undefined;
  draft.queue.push({ type: 'revoke' });
  changeStatus(draft, 'disconnected', { kind: 'disconnected' });
}

/** Apply what time alone decides: closed renewal windows, reached deadlines, due warnings. */
function catchUp(draft: Draft, now: number): void {
  const s = draft.s;
  if (!isLive(s)) return;
  const closes = renewalClosesAt(s.policy, s.token);
  if (closes !== undefined && now >= closes) {
    s.renewAt = undefined;
    if (s.retry?.op === 'renew') s.retry = undefined;
  }
  const deadline = expiryDeadline(s);
  if (deadline && now >= deadline.at && !s.inFlight) {
    expire(draft, tokenExpiredReason(s.platform, deadline.at, deadline.kind));
    return;
  }
  const due = dueWarning(s, now);
  if (due) {
    if (s.status === 'active') {
      s.warning = { deadline: due.deadline, reason: due.reason };
      changeStatus(draft, 'expiring', { kind: 'expiring', reason: due.reason, deadline: due.deadline });
    } else if (s.warning?.deadline !== due.deadline) {
      s.warning = { deadline: due.deadline, reason: due.reason };
    }
  } else if (s.status === 'expiring') {
    s.warning = undefined;
    changeStatus(draft, 'active', { kind: 'recovered' });
  }
}

// ---- tokens ---------------------------------------------------------------------------------

/** Deadlines that move by less than this are the same deadline re-reported (e.g. "seconds remaining"). */
function sameDeadline(a: number, b: number, lifetime: number): boolean {
  return Math.abs(a - b) <= Math.min(60_000, Math.max(0, lifetime) / 100);
}

interface TrackedEnd {
  end?: number;
  since?: number;
}

/** Merge a newly reported lifetime into a tracked deadline, keeping when it was first seen. */
function trackEnd(previous: TrackedEnd, sec: number | undefined, now: number, fresh: boolean): TrackedEnd {
  const ms = lifetimeMs(sec);
  if (ms === undefined) {
    if (fresh) return {};
    // Not re-reported: keep it while it lies ahead; one that passed while the token kept working no longer binds.
    return previous.end !== undefined && previous.end > now ? previous : {};
  }
  const end = now + ms;
  if (fresh || previous.end === undefined) return { end, since: now };
  if (sameDeadline(end, previous.end, ms)) return previous;
  return { end, since: end > previous.end ? now : (previous.since ?? now) };
}

function issueToken(s: LifecycleState, now: number, lifetimes: Lifetimes | undefined, jitter: number, fresh: boolean): void {
  const previous = s.token;
  const accessMs = lifetimeMs(lifetimes?.accessSec);
  const refresh = trackEnd({ end: previous.refreshExpiresAt, since: previous.refreshIssuedAt }, lifetimes?.refreshSec, now, fresh);
  const dataAccess = trackEnd({ end: previous.dataAccessExpiresAt, since: previous.dataAccessIssuedAt }, lifetimes?.dataAccessSec, now, fresh);
  const token: TokenTimes = { issuedAt: now };
  if (accessMs !== undefined) token.accessExpiresAt = now + accessMs;
  if (refresh.end !== undefined) {
    token.refreshExpiresAt = refresh.end;
    token.refreshIssuedAt = refresh.since ?? now;
  }
  if (dataAccess.end !== undefined) {
    token.dataAccessExpiresAt = dataAccess.end;
    token.dataAccessIssuedAt = dataAccess.since ?? now;
  }
  s.token = token;
  s.renewAt = plannedRenewalAt(s.policy, token, jitter);
  s.validateAt = plannedValidationAt(s.policy, token, now, jitter);
}

// ---- event handlers -------------------------------------------------------------------------

function onCredentials(draft: Draft, event: CredentialsEvent): void {
  const s = draft.s;
  const was = s.status;
  s.policy = event.policy;
  issueToken(s, event.now, event.lifetimes, event.jitter, true);
  s.retry = undefined;
  s.inFlight = undefined; // a result of the old credentials' operation is ignored when it arrives
  s.warning = undefined;
  s.notice = undefined;
  s.reason = undefined;
  s.consecutiveFailures = 0;
  s.rejectedTokenIssuedAt = undefined;
  if (was === 'expired') draft.queue.push({ type: 'resumeQueue' });
  if (was !== 'active') changeStatus(draft, 'active', { kind: 'reconnected' });
}

function onRenewalSucceeded(draft: Draft, now: number, lifetimes: Lifetimes, jitter: number): void {
  const s = draft.s;
  if (!isLive(s) || s.inFlight?.op !== 'renew') return; // not ours (stale, or after a reconnect/expiry)
  s.inFlight = undefined;
  issueToken(s, now, lifetimes, jitter, false);
  s.retry = undefined;
  s.consecutiveFailures = 0;
  s.notice = undefined;
}

function onValidationSucceeded(draft: Draft, now: number, dataAccessSec: number | undefined, jitter: number): void {
  const s = draft.s;
  if (!isLive(s) || s.inFlight?.op !== 'validate') return;
  s.inFlight = undefined;
  const dataAccess = trackEnd({ end: s.token.dataAccessExpiresAt, since: s.token.dataAccessIssuedAt }, dataAccessSec, now, false);
  const token: TokenTimes = { ...s.token, dataAccessExpiresAt: dataAccess.end, dataAccessIssuedAt: dataAccess.end === undefined ? undefined : (dataAccess.since ?? now) };
  if (token.dataAccessExpiresAt === undefined) {
    delete token.dataAccessExpiresAt;
    delete token.dataAccessIssuedAt;
  }
  s.token = token;
  s.validateAt = plannedValidationAt(s.policy, token, now, jitter);
  s.retry = undefined;
  s.consecutiveFailures = 0;
  s.notice = undefined;
}

function onOperationFailed(draft: Draft, op: Operation, failure: Failure, now: number, jitter: number): void {
  const s = draft.s;
  if (!isLive(s) || s.inFlight?.op !== op) return;
  s.inFlight = undefined;
  applyFailure(draft, op, failure, now, jitter);
}

function applyFailure(draft: Draft, op: Operation, failure: Failure, now: number, jitter: number): void {
  const s = draft.s;
  if (failure.kind === 'reauthRequired') {
    expire(draft, { code: failure.code, message: failure.message });
    return;
  }
  const dataAccessEnd = s.token.dataAccessExpiresAt;
  if (op === 'validate' && failure.kind === 'invalid' && dataAccessEnd !== undefined && now >= dataAccessEnd) {
    expire(draft, dataAccessExpiredReason(s.platform, dataAccessEnd, failure));
    return;
  }
  s.consecutiveFailures += 1;
  const closes = op === 'renew' ? renewalClosesAt(s.policy, s.token) : undefined;
  if (closes !== undefined && now >= closes) {
    s.retry = undefined; // nothing left to retry; catchUp warns or expires
    s.renewAt = undefined;
    return;
  }
  const tokenLifetimeMs = s.token.accessExpiresAt === undefined ? undefined : s.token.accessExpiresAt - s.token.issuedAt;
  let at = retryAt({ now, failure, attempt: s.consecutiveFailures, jitter, mustPrecede: lastUsefulMoment(s, now), tokenLifetimeMs });
  if (op === 'renew') at = Math.max(at, renewalOpensAt(s.policy, s.token));
  s.retry = { op, at, attempt: s.consecutiveFailures, reason: retryReason(s.platform, op, failure, at, now) };
}

/** The nearest future moment a retry should beat: the access token's expiry or the renewal's last chance. */
function lastUsefulMoment(s: LifecycleState, now: number): number | undefined {
  const candidates = [s.token.accessExpiresAt, renewalClosesAt(s.policy, s.token)].filter(
    (t): t is number => t !== undefined && t > now,
  );
  return candidates.length ? Math.min(...candidates) : undefined;
}

function startOperation(draft: Draft, op: Operation, trigger: OperationTrigger, now: number): void {
  draft.s.inFlight = { op, since: now };
  draft.operations.push({ type: op, trigger });
}

function onWake(draft: Draft, now: number): void {
  const s = draft.s;
  if (!isLive(s)) return;
  if (s.inFlight && now >= s.inFlight.since + IN_FLIGHT_TIMEOUT_MS) {
    const op = s.inFlight.op;
    s.inFlight = undefined;
    applyFailure(draft, op, { kind: 'transient', message: noResultMessage(op) }, now, 0.5);
  }
  catchUp(draft, now);
  if (!isLive(s) || s.inFlight) return;
  if (s.retry && s.retry.at <= now) {
    startOperation(draft, s.retry.op, 'retry', now);
  } else if (s.renewAt !== undefined && s.renewAt <= now && s.retry?.op !== 'renew') {
    const opens = renewalOpensAt(s.policy, s.token);
    if (now >= opens) startOperation(draft, 'renew', 'scheduled', now);
    else s.renewAt = opens;
  } else if (s.validateAt !== undefined && s.validateAt <= now && s.retry?.op !== 'validate') {
    startOperation(draft, 'validate', 'scheduled', now);
  }
}

function onRefreshRequested(draft: Draft, now: number): void {
  const s = draft.s;
  if (!isLive(s) || s.inFlight) return;
  if (s.policy.renewal === 'validate') {
    startOperation(draft, 'validate', 'requested', now);
    return;
  }
  const deadline = expiryDeadline(s)?.at;
  if (s.policy.renewal === 'none') {
    s.notice = cannotRenewReason(s.platform, deadline);
    return;
  }
  const opens = renewalOpensAt(s.policy, s.token);
  const closes = renewalClosesAt(s.policy, s.token);
  if (closes !== undefined && (now >= closes || opens >= closes)) s.notice = cannotRenewReason(s.platform, deadline);
  else if (now < opens) s.notice = renewalTooEarlyReason(s.platform, opens, now);
  else startOperation(draft, 'renew', 'requested', now);
}

/**
 * The platform refused the access token (a publish or a read got 401). A renewable token gets one
 * renewal (refresh-then-retry). One that nothing can renew is dead: with the platform's reason the
 * account expires; without one (an ambiguous refusal) nothing changes.
 */
function onAccessTokenRejected(draft: Draft, now: number, reason: Reason | undefined): void {
  const s = draft.s;
  if (!isLive(s) || s.inFlight) return;
  if (s.rejectedTokenIssuedAt === s.token.issuedAt) return; // this token's renewal is already under way or being retried
  const closes = renewalClosesAt(s.policy, s.token);
  const cannotRenew = s.policy.renewal === 'none' || (s.policy.renewal !== 'validate' && closes !== undefined && now >= closes);
  if (cannotRenew) {
    if (reason) expire(draft, reason);
    return;
  }
  s.rejectedTokenIssuedAt = s.token.issuedAt;
  startOperation(draft, s.policy.renewal === 'validate' ? 'validate' : 'renew', 'rejected', now);
}

// ---- output ---------------------------------------------------------------------------------

function visible(s: LifecycleState): string {
  return JSON.stringify([s.status, s.reason ?? null, s.token, s.warning?.deadline ?? null, describeNext(s)]);
}

function finish(draft: Draft, before: LifecycleState): TransitionResult {
  const s = draft.s;
  if (isLive(s)) s.reason = s.warning?.reason ?? s.retry?.reason ?? s.notice;
  dropUndefined(s);
  const effects: LifecycleEffect[] = [...draft.queue];
  if (visible(s) !== visible(before)) effects.push({ type: 'recordStatus' });
  effects.push(...draft.notifications, ...draft.operations);
  return { state: s, effects };
}

/** Keep the state free of `undefined` members so it equals its own JSON round trip. */
function dropUndefined(s: LifecycleState): void {
  const record = s as unknown as Record<string, unknown>;
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
}
