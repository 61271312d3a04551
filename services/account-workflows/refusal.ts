import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';

// Why an account workflow did not do what was asked, as data. The one place that reads Temporal's
// errors for it: every call of `AccountWorkflowClient` answers `Answer<T>` instead of throwing for
// these, and still throws anything nobody expects.

export type Refusal =
  /** The workflow refused (its validator, or its handler after accepting), in its own words. */
  | { kind: 'refused'; message: string }
  /** There is no running workflow for the account. */
  | { kind: 'notRunning' }
  /** The workflow did not answer in time (`afterMs` when the caller set the deadline). */
  | { kind: 'noAnswer'; afterMs?: number };

export type Answer<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

/** The refusal an error stands for; undefined for errors nobody expects. */
export function refusalOf(error: unknown, deadlineMs?: number): Refusal | undefined {
  if (error instanceof WorkflowUpdateFailedError) return { kind: 'refused', message: error.cause?.message ?? error.message };
  if (error instanceof WorkflowNotFoundError) return { kind: 'notRunning' };
  // Nothing here cancels a call, so a cancelled one reached its deadline too: when the server gets
  // there first it resets the stream, and the client reports CANCELLED rather than DEADLINE_EXCEEDED.
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return deadlineMs === undefined ? { kind: 'noAnswer' } : { kind: 'noAnswer', afterMs: deadlineMs };
  return undefined;
}

/**
 * A refusal in words a user can act on ("its lifecycle is not running; reconnect it."), for pages and
 * for the reasons stored on posts.
 */
export function refusalText(refusal: Refusal): string {
  switch (refusal.kind) {
    case 'refused':
      return refusal.message;
    case 'notRunning':
      return 'its lifecycle is not running; reconnect it.';
    case 'noAnswer':
      return refusal.afterMs === undefined
        ? 'its lifecycle did not answer in time; try again in a minute.'
        : `its lifecycle did not answer within ${Math.round(refusal.afterMs / 1000)} s; try again in a minute.`;
  }
}
