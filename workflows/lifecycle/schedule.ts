// What is due when: deadlines, warnings and the next wake time, all derived from the state alone.
import type { LifecycleState, NextAction, Reason } from './types.js';
import { dataAccessExpiringReason, renewalFailingReason, tokenExpiringReason, type DeadlineKind } from './reasons.js';
import type { PlannedAction } from './rules.js';
import { FAILURES_BEFORE_WARNING, warningLead } from './timing.js';
import { rulesOf } from './versions.js';

export interface ExpiryDeadline {
  at: number;
  /** Lifetime of whatever defines the deadline; it scales the warning lead. */
  lifetimeMs: number;
  kind: DeadlineKind;
}

export function isLive(state: LifecycleState): boolean {
  return state.status === 'active' || state.status === 'expiring';
}

/**
 * When the account becomes unusable if no renewal succeeds from now on:
 * - none / exchange / validate: the access token's expiry;
 * - rotatingRefresh / refresh: once both the access token and the refresh token are dead (unknown
 *   refresh lifetime → never: failures alone never expire such an account).
 */
export function expiryDeadline(state: LifecycleState): ExpiryDeadline | undefined {
  const { token, policy } = state;
  const access = token.accessExpiresAt;
  if (access === undefined) return undefined;
  const accessDeadline: ExpiryDeadline = { at: access, lifetimeMs: access - token.issuedAt, kind: 'access' };
  if (policy.renewal !== 'rotatingRefresh' && policy.renewal !== 'refresh') return accessDeadline;
  const refresh = token.refreshExpiresAt;
  if (refresh === undefined) return undefined;
  if (refresh <= access) return accessDeadline;
  return { at: refresh, lifetimeMs: refresh - (token.refreshIssuedAt ?? token.issuedAt), kind: 'refresh' };
}

/** Whether a renewal of the current token is still on the books (scheduled, retrying or running). */
export function renewalPlanned(state: LifecycleState): boolean {
  return state.renewAt !== undefined || state.retry?.op === 'renew' || state.inFlight?.op === 'renew';
}

export interface WarningCandidate {
  warnAt: number;
  deadline: number;
  reason: Reason;
}

/**
 * Deadlines worth a warning, each with the time it becomes due:
 * - a death no planned renewal can prevent (policy none, exchange too young to renew, a refresh
 *   token whose fixed end is near, the validate policy with an expiring token);
 * - a preventable death while renewals keep failing (≥ FAILURES_BEFORE_WARNING in a row);
 * - Facebook-style data-access expiry.
 */
export function warningCandidates(state: LifecycleState): WarningCandidate[] {
  const { config, platform, token } = state;
  const candidates: WarningCandidate[] = [];
  const deadline = expiryDeadline(state);
  if (deadline) {
    const warnAt = deadline.at - warningLead(config.warningLeadMs, deadline.lifetimeMs);
    if (!renewalPlanned(state)) {
      candidates.push({ warnAt, deadline: deadline.at, reason: tokenExpiringReason(platform, deadline.at, deadline.kind) });
    } else if (state.consecutiveFailures >= FAILURES_BEFORE_WARNING) {
      const reason = renewalFailingReason(platform, state.consecutiveFailures, deadline.at, state.retry?.reason);
      candidates.push({ warnAt, deadline: deadline.at, reason });
    }
  }
  const dataAccessEnd = token.dataAccessExpiresAt;
  if (dataAccessEnd !== undefined) {
    const lifetime = dataAccessEnd - (token.dataAccessIssuedAt ?? token.issuedAt);
    const warnAt = dataAccessEnd - warningLead(config.warningLeadMs, lifetime);
    candidates.push({ warnAt, deadline: dataAccessEnd, reason: dataAccessExpiringReason(platform, dataAccessEnd) });
  }
  return candidates;
}

/** The due warning with the nearest deadline, if any. */
export function dueWarning(state: LifecycleState, now: number): WarningCandidate | undefined {
  let best: WarningCandidate | undefined;
  for (const candidate of warningCandidates(state)) {
    if (candidate.warnAt <= now && (!best || candidate.deadline < best.deadline)) best = candidate;
  }
  return best;
}

/** Everything that will happen by itself as time passes, unordered. */
function plannedActions(state: LifecycleState): PlannedAction[] {
  if (!isLive(state)) return [];
  const { inFlight } = state;
  const actions = rulesOf(state).operationsAhead(state);
  for (const candidate of warningCandidates(state)) {
    // Once expiring, only a nearer deadline is news.
    if (state.status === 'active' || (state.warning && candidate.deadline < state.warning.deadline)) {
      actions.push({ action: 'warn', at: candidate.warnAt });
    }
  }
  const deadline = expiryDeadline(state);
  // While an operation runs, its result decides; expiry is re-checked when it arrives.
  if (deadline && !inFlight) actions.push({ action: 'markExpired', at: deadline.at });
  return actions;
}

function earliest(state: LifecycleState): PlannedAction | undefined {
  let best: PlannedAction | undefined;
  for (const action of plannedActions(state)) if (!best || action.at < best.at) best = action;
  return best;
}

/**
 * When the shell must next deliver a `wake` event, or undefined when only a message can change
 * anything. The time may lie in the past (something is overdue): the shell then wakes at once.
 * Contract: after `wake { now }` is applied, nextWakeAt is undefined or later than `now`, so the
 * shell can never spin.
 */
export function nextWakeAt(state: LifecycleState): number | undefined {
  return nextWake(state)?.at;
}

/** The next wake with what it is for (the renewal before a post is not an operator-visible next action). */
export function nextWake(state: LifecycleState): PlannedAction | undefined {
  const shown = earliest(state);
  const hidden = isLive(state) ? rulesOf(state).hiddenWakeAt(state) : undefined;
  if (hidden !== undefined && (shown === undefined || hidden < shown.at)) return { action: 'renewBeforePost', at: hidden };
  return shown;
}

/**
 * What happens next and when, as a code (pages phrase it; Temporal UI shows it). Schema 2 shows the
 * plan an operation continues once it ends, not the wait for its result, so starting one is no
 * visible change: its outcome is recorded with it (one activity per operation).
 */
export function describeNext(state: LifecycleState): NextAction {
  if (state.status === 'disconnected') return { action: 'nothing' };
  if (state.status === 'expired') return { action: 'waitForReconnect' };
  const shown = state.schemaVersion === 2 && state.inFlight ? { ...state, inFlight: undefined } : state;
  const next = earliest(shown);
  return next ? { action: next.action, at: next.at } : { action: 'nothing' };
}
