// Types of the pure account-lifecycle state machine. Everything here is plain JSON (times are epoch
// milliseconds) because the state is carried through continue-as-new.
import type { Failure, PlatformId, TokenPolicy } from '../../platforms/types.js';
import type { NextActionCode, ReasonCode } from './codes.js';

export type { CallReasonCode, LifecycleReasonCode, NextActionCode, ReasonCode } from './codes.js';

export type LifecycleStatus = 'active' | 'expiring' | 'expired' | 'disconnected';

/**
 * Why an account is as it is, as data: a stable code and the facts the words need. Pages, flashes
 * and notifications phrase it in the reader's time zone (services/phrasing/).
 */
export interface Reason {
  code: ReasonCode;
  /** The moment it is about (epoch ms): a deadline, the next retry, a rate limit's reset, an expiry. */
  at?: number;
  /** How many times in a row, where that matters (consecutive failed renewals). */
  count?: number;
  /** The platform's own words (an adapter's failure message), quoted, never Tether's phrasing. */
  detail?: string;
  /** The reason this one wraps: renewals keep failing → the latest failure. */
  cause?: Reason;
  /**
   * English written before reasons were structured: in histories, carried state and projections
   * recorded earlier. Phrasing shows it as it is; nothing writes it any more.
   */
  message?: string;
}

/** Lifetimes in seconds as the platform reported them; absent means "does not expire". */
export interface Lifetimes {
  accessSec?: number;
  refreshSec?: number;
  dataAccessSec?: number;
}

/** Absolute token times on the workflow's clock. */
export interface TokenTimes {
  issuedAt: number;
  accessExpiresAt?: number;
  refreshExpiresAt?: number;
  /** When the current refresh deadline was first seen; its lifetime scales the warning lead. */
  refreshIssuedAt?: number;
  dataAccessExpiresAt?: number;
  dataAccessIssuedAt?: number;
}

/** Settings from config (`config.lifecycle`); stored in the state so continue-as-new keeps them. */
export interface LifecycleConfig {
  /** Warn this long before a death no renewal can prevent (capped at 25 % of the lifetime). */
  warningLeadMs: number;
}

export type Operation = 'renew' | 'validate';

export interface Retry {
  op: Operation;
  at: number;
  attempt: number;
  reason: Reason;
}

export interface Warning {
  deadline: number;
  reason: Reason;
}

export interface LifecycleState {
  schemaVersion: 1;
  accountId: string;
  platform: PlatformId;
  status: LifecycleStatus;
  policy: TokenPolicy;
  config: LifecycleConfig;
  token: TokenTimes;
  /** Planned renewal of the current token; undefined when nothing can renew it. */
  renewAt?: number;
  /** Planned validation ('validate' policy only). */
  validateAt?: number;
  /** Takes precedence over renewAt/validateAt for its operation after a non-definitive failure. */
  retry?: Retry;
  /** A renew/validate effect was emitted and its result has not arrived yet: never start another. */
  inFlight?: { op: Operation; since: number };
  /** Set while `expiring`: the deadline that was warned about and why. */
  warning?: Warning;
  /** Informational reason on a live account (e.g. "LinkedIn cannot renew this token"). */
  notice?: Reason;
  /** What users see: the expiry reason when expired, else warning ?? retry ?? notice. */
  reason?: Reason;
  consecutiveFailures: number;
  /** issuedAt of the token whose rejection already triggered a renewal (renew once per token). */
  rejectedTokenIssuedAt?: number;
  /** Incremented on every status change; notification dedupe keys derive from it. */
  transitions: number;
}

interface Timed {
  now: number;
}

export interface CredentialsEvent extends Timed {
  policy: TokenPolicy;
  lifetimes: Lifetimes;
  /** 0..1, from the shell's deterministic random source. */
  jitter: number;
}

export type LifecycleEvent =
  | ({ type: 'connected' } & CredentialsEvent)
  | ({ type: 'reconnected' } & CredentialsEvent)
  | ({ type: 'renewalSucceeded'; lifetimes: Lifetimes; jitter: number } & Timed)
  | ({ type: 'renewalFailed'; failure: Failure; jitter: number } & Timed)
  | ({ type: 'validationSucceeded'; dataAccessSec?: number; jitter: number } & Timed)
  | ({ type: 'validationFailed'; failure: Failure; jitter: number } & Timed)
  | ({ type: 'wake' } & Timed)
  | ({ type: 'refreshRequested' } & Timed)
  /** With the platform's reason when the refusal is definite: a token nothing can renew then expires. */
  | ({ type: 'accessTokenRejected'; reason?: Reason } & Timed)
  | ({ type: 'revokedByPlatform'; reason: Reason } & Timed)
  | ({ type: 'disconnectRequested' } & Timed);

export type LifecycleEventType = LifecycleEvent['type'];

/** Why an operation was started (for logs and the operator view). */
export type OperationTrigger = 'scheduled' | 'retry' | 'requested' | 'rejected';

export type NotifyKind = 'expiring' | 'expired' | 'reconnected' | 'recovered' | 'disconnected';

export interface NotifyEffect {
  type: 'notify';
  kind: NotifyKind;
  reason?: Reason;
  deadline?: number;
  /** `<accountId>:<transitions>`: unique per status change, stable across workflow replays. */
  dedupeKey: string;
}

export type LifecycleEffect =
  | { type: 'renew'; trigger: OperationTrigger }
  | { type: 'validate'; trigger: OperationTrigger }
  | NotifyEffect
  | { type: 'revoke' }
  | { type: 'recordStatus' };

export interface TransitionResult {
  state: LifecycleState;
  /**
   * Execute in order: revoke, recordStatus, notify, then renew/validate. The queue needs no effect:
   * it is paused exactly while the status is `expired`, and the projection says so.
   */
  effects: LifecycleEffect[];
}

export interface NextAction {
  action: NextActionCode;
  at?: number;
}
