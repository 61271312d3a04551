import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { refusalOf, refusalText } from '../../../services/account-workflows/refusal.js';

// The one place that reads Temporal's errors for account workflows: what each becomes, and how it reads.

describe('account workflow refusals', () => {
  it("turns an update the workflow refused into its own words", () => {
    const error = new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.nonRetryable('the account is disconnected', 'Refused'));
    const refusal = refusalOf(error);
    expect(refusal).toEqual({ kind: 'refused', message: 'the account is disconnected' });
    expect(refusalText(refusal!)).toBe('the account is disconnected');
  });

  it('says a missing workflow is not running, and how to fix it', () => {
    const refusal = refusalOf(new WorkflowNotFoundError('workflow not found', 'account:a1', undefined));
    expect(refusal).toEqual({ kind: 'notRunning' });
    expect(refusalText(refusal!)).toBe('its lifecycle is not running; reconnect it.');
  });

  it('reads an update call that ran out of time as no answer, with the deadline when the caller set one', () => {
    const error = new WorkflowUpdateRPCTimeoutOrCancelledError('timed out', { cause: new Error('DEADLINE_EXCEEDED') });
    expect(refusalText(refusalOf(error, 2000)!)).toBe('its lifecycle did not answer within 2 s; try again in a minute.');
    expect(refusalText(refusalOf(error)!)).toBe('its lifecycle did not answer in time; try again in a minute.');
  });

  it('leaves errors nobody expects alone, so they propagate', () => {
    expect(refusalOf(new Error('connection refused'))).toBeUndefined();
    expect(refusalOf('not even an error')).toBeUndefined();
  });
});
