// The timing rules a lifecycle state follows, chosen by its schema version: when to renew, when to
// check, what a wake starts, how retries are paced, and what users see of the plan. The transition
// function (state.ts) is shared; only these decisions differ between the two schemas.
import type { LifecycleState, NextActionCode, Operation, OperationTrigger } from './types.js';

export interface PlannedAction {
  action: NextActionCode;
  at: number;
}

export interface DueOperation {
  op: Operation;
  trigger: OperationTrigger;
}

export interface TimingRules {
  /** A token was issued at `now` (a connect when `fresh`, else a renewal): plan what comes next. */
  planIssued(state: LifecycleState, now: number, jitter: number, fresh: boolean): void;
  /** A validation succeeded at `now`: plan the next one. */
  planValidated(state: LifecycleState, now: number, jitter: number): void;
  /**
   * At a wake of a live account with nothing running (catch-up done): the operation to start, if
   * any. May move a planned time that came too early (e.g. an exchange not yet allowed).
   */
  dueOperation(state: LifecycleState, now: number): DueOperation | undefined;
  /** What a retry of `op` must beat (if it can) and how much time is at stake (scales the backoff). */
  retryStake(state: LifecycleState, op: Operation, now: number): { mustPrecede?: number; stakeMs?: number };
  /** A validation answered reauthRequired: renew (the renewal decides) instead of expiring at once. */
  renewsRefusedCheck(state: LifecycleState, now: number): boolean;
  /** The operations ahead, as operators see them (running, retry, renewal, validation or check). */
  operationsAhead(state: LifecycleState): PlannedAction[];
  /** A wake that is not an operator-visible next action (the renewal before the next post). */
  hiddenWakeAt(state: LifecycleState): number | undefined;
  /** What users see of the plan besides status, reason, token times, warning and next action. */
  visibleExtras(state: LifecycleState): unknown[];
}
