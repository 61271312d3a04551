// The lifecycle as pages and operators see it, and what an operation's activity records when it
// ends: the workflow and the activity compute it with the same pure functions, so the activity can
// write the status projection the workflow would write, and the workflow skips writing it again.
import type { Failure, TokenPolicy } from '../../platforms/types.js';
import { describeNext, expiryDeadline, isLive } from './schedule.js';
import { startLifecycle, transition, type AccountInput } from './state.js';
import type { LifecycleEvent, LifecycleState, LifecycleStatus, Lifetimes, NextActionCode, Reason, TransitionResult } from './types.js';

export interface LifecycleProjection {
  status: LifecycleStatus;
  reason?: Reason;
  /** The access token's expiry: it may sit expired between uses when the grant lives on. */
  tokenExpiresAt?: number;
  /** Schema 2: until when Tether can act for the user if nothing succeeds from now on (undefined: no end). */
  grantExpiresAt?: number;
  warningDeadline?: number;
  nextAction?: NextActionCode;
  nextActionAt?: number;
  /** Schema 2: the last time the platform accepted the grant, and the next health check. */
  lastCheckedAt?: number;
  nextCheckAt?: number;
  lastRenewedAt?: number;
  /** Posts wait while the account is expired, and go out after a reconnect. */
  queuePaused: boolean;
}

export function projectionOf(state: LifecycleState): LifecycleProjection {
  const next = describeNext(state);
  const projection: LifecycleProjection = {
    status: state.status,
    reason: state.reason,
    tokenExpiresAt: state.token.accessExpiresAt,
    warningDeadline: state.warning?.deadline,
    nextAction: next.action,
    nextActionAt: next.at,
    queuePaused: state.status === 'expired',
  };
  if (state.schemaVersion === 2) {
    if (isLive(state)) projection.grantExpiresAt = expiryDeadline(state)?.at;
    projection.lastCheckedAt = state.lastCheckedAt;
    projection.nextCheckAt = isLive(state) ? state.checkAt : undefined;
    projection.lastRenewedAt = state.lastRenewedAt;
  }
  for (const key of Object.keys(projection) as (keyof LifecycleProjection)[]) if (projection[key] === undefined) delete projection[key];
  return projection;
}

/** An operation's result as its activity reports it (structurally the activities' OperationResult). */
export type RenewalResult = { outcome: 'ok'; facts: { lifetimes: Lifetimes; policy: TokenPolicy } } | { outcome: 'failed'; failure: Failure };
export type ValidationResult = { outcome: 'ok'; dataAccessSec?: number } | { outcome: 'failed'; failure: Failure };

export function renewalEvent(result: RenewalResult, now: number, jitter: number): LifecycleEvent {
  return result.outcome === 'ok'
    ? { type: 'renewalSucceeded', lifetimes: result.facts.lifetimes, policy: result.facts.policy, now, jitter }
    : { type: 'renewalFailed', failure: result.failure, now, jitter };
}

export function validationEvent(result: ValidationResult, now: number, jitter: number): LifecycleEvent {
  return result.outcome === 'ok'
    ? { type: 'validationSucceeded', dataAccessSec: result.dataAccessSec, now, jitter }
    : { type: 'validationFailed', failure: result.failure, now, jitter };
}

/**
 * What the workflow asks an operation's activity to record with its outcome: the lifecycle as it
 * stands while the operation runs, the time and jitter the outcome is applied with, and the
 * projection sequence reserved for the write.
 */
export interface RecordRequest {
  lifecycle: LifecycleState;
  now: number;
  jitter: number;
  sequence: number;
}

/** The projection to write once the operation ended with `event`; undefined when nothing users see changed. */
export function projectionAfter(lifecycle: LifecycleState, event: LifecycleEvent): LifecycleProjection | undefined {
  const { state, effects } = transition(lifecycle, event);
  return effects.some((effect) => effect.type === 'recordStatus') ? projectionOf(state) : undefined;
}

/**
 * What the workflow asks a connect or reconnect's activity to record: the lifecycle the new
 * credentials reconnect, or (none yet) the account whose lifecycle they start, whose platform the
 * activity reads with the account. Time, jitter and sequence as for a RecordRequest.
 */
export interface ConnectRecordRequest {
  lifecycle?: LifecycleState;
  start: Omit<AccountInput, 'platform'>;
  now: number;
  jitter: number;
  sequence: number;
}

/** The lifecycle after credentials were taken: started (`startLifecycle`) or `reconnected`. */
export function afterConnect(record: Omit<ConnectRecordRequest, 'sequence'>, platform: AccountInput['platform'], facts: { policy: TokenPolicy; lifetimes: Lifetimes }): TransitionResult {
  const connected = { now: record.now, policy: facts.policy, lifetimes: facts.lifetimes, jitter: record.jitter };
  return record.lifecycle ? transition(record.lifecycle, { type: 'reconnected', ...connected }) : startLifecycle({ ...record.start, platform }, connected);
}

/** The projection to write once the credentials were taken; undefined when nothing users see changed. */
export function projectionAfterConnect(record: Omit<ConnectRecordRequest, 'sequence'>, platform: AccountInput['platform'], facts: { policy: TokenPolicy; lifetimes: Lifetimes }): LifecycleProjection | undefined {
  const { state, effects } = afterConnect(record, platform, facts);
  return effects.some((effect) => effect.type === 'recordStatus') ? projectionOf(state) : undefined;
}
