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
  /** Schema 2: how often a health check proves the connection still works (jittered up by ≤ 10 %). */
  checkEveryMs?: number;
  /** Schema 2: how long before a post is due its renewal starts when the access token would be dead by then. */
  publishLeadMs?: number;
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

/**
 * 1: the legacy timing rules (renew at 75–85 % of the access token's life; legacy-rules.ts), kept
 * while workflows started before the `renew-by-need` patch may replay. 2: renew by need
 * (need-rules.ts): before a post, before the grant ages out, on a health check, on request.
 */
export type SchemaVersion = 1 | 2;

export interface LifecycleState {
  schemaVersion: SchemaVersion;
  accountId: string;
  platform: PlatformId;
  status: LifecycleStatus;
  policy: TokenPolicy;
  config: LifecycleConfig;
  token: TokenTimes;
  /**
   * Planned renewal of the current token; undefined when nothing can renew it. Schema 2: only the
   * renewal that keeps the grant from ageing out (sliding refresh end, exchange, fixed end's last chance).
   */
  renewAt?: number;
  /** Schema 1: planned validation ('validate' policy only). */
  validateAt?: number;
  /** Schema 2: the next health check (a validation while the access token lives, else a renewal). */
  checkAt?: number;
  /** Schema 2: the last time the platform accepted the grant (a renewal, a validation or the connect). */
  lastCheckedAt?: number;
  /** Schema 2: the last successful renewal. */
  lastRenewedAt?: number;
  /** Schema 2: when the next post of the account's queue is due (from `nextPostChanged`). */
  nextPostAt?: number;
  /** Schema 2: the due time of the post a renewal was already started for (it is not started twice). */
  postRenewalFor?: number;
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
  /** Schema 2 events carry the adapter's current policy, so the rules follow the adapter. */
  | ({ type: 'renewalSucceeded'; lifetimes: Lifetimes; jitter: number; policy?: TokenPolicy } & Timed)
  | ({ type: 'renewalFailed'; failure: Failure; jitter: number } & Timed)
  | ({ type: 'validationSucceeded'; dataAccessSec?: number; jitter: number } & Timed)
  | ({ type: 'validationFailed'; failure: Failure; jitter: number } & Timed)
  | ({ type: 'wake' } & Timed)
  | ({ type: 'refreshRequested' } & Timed)
  /** With the platform's reason when the refusal is definite: a token nothing can renew then expires. */
  | ({ type: 'accessTokenRejected'; reason?: Reason } & Timed)
  | ({ type: 'revokedByPlatform'; reason: Reason } & Timed)
  | ({ type: 'disconnectRequested' } & Timed)
  /**
   * Schema 2: the account's post queue says when its next post is due (undefined: none waits).
   * Effect-free: it only moves the renewal planned for that post; time-based changes wait for a wake.
   */
  | ({ type: 'nextPostChanged'; dueAt?: number } & Timed)
  /** Moves a schema-1 state to schema 2, re-planned from its token times with the adapter's current policy. */
  | ({ type: 'rulesMigrated'; policy: TokenPolicy; config: Partial<LifecycleConfig>; jitter: number } & Timed);

export type LifecycleEventType = LifecycleEvent['type'];

/**
 * Why an operation was started (for logs and the operator view). `scheduled`: schema 1's planned
 * renewal or validation; `grant`: a renewal that keeps the grant from ageing out; `check`: a health
 * check; `post`: a renewal before a post whose time comes after the access token dies.
 */
export type OperationTrigger = 'scheduled' | 'retry' | 'requested' | 'rejected' | 'grant' | 'check' | 'post';

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
