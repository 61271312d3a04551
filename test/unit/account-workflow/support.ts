import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import proto from '@temporalio/proto';
import { expect } from 'vitest';
import { stateQuery } from '../../../workflows/account/messages.js';
import type { AccountHandle } from './environment.js';
import type { ActivityEvent, StubAccount } from './stub-activities.js';
import type { NotifyInput } from '../../../activities/lifecycle/contract.js';
import type { NotifyKind } from '../../../workflows/lifecycle/types.js';

// Assertions the fast account-workflow tests share.

const eventsOf = async (handle: AccountHandle) => (await handle.fetchHistory()).events ?? [];

const updateIdOf = (event: Awaited<ReturnType<typeof eventsOf>>[number]) =>
  event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId ?? event.workflowExecutionUpdateRejectedEventAttributes?.rejectedRequest?.meta?.updateId;

const { EventType } = proto.temporal.api.enums.v1;
const WORKFLOW_TASK_EVENTS = new Set([EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED]);

/**
 * An activity's start and end are recorded when the worker reports its end, which may land while the
 * rejected update is in flight; they belong to the activity scheduled earlier, not to the update.
 */
function endsActivityScheduledBefore(event: Awaited<ReturnType<typeof eventsOf>>[number], before: number): boolean {
  const attributes =
    event.activityTaskStartedEventAttributes ??
    event.activityTaskCompletedEventAttributes ??
    event.activityTaskFailedEventAttributes ??
    event.activityTaskTimedOutEventAttributes ??
    event.activityTaskCanceledEventAttributes;
  return attributes?.scheduledEventId != null && Number(attributes.scheduledEventId) <= before;
}

/**
 * Sends an update its validator must reject: the caller gets WorkflowUpdateFailedError with the
 * validator's words, and the update never reaches the workflow's history. (A real server also drops
 * the workflow task that rejected it; the time-skipping server records it, so a rejection may add
 * that task's events and nothing else.)
 */
export async function expectRejected<Ret, Args extends unknown[]>(handle: AccountHandle, update: UpdateDefinition<Ret, Args>, args: Args, message: string | RegExp): Promise<void> {
  const updateId = randomUUID();
  const before = (await eventsOf(handle)).length;
  // By name: the definitions' argument tuples differ, and zero-argument updates take an empty list.
  const error: unknown = await handle.executeUpdate(update.name, { args: args as unknown as [unknown], updateId }).then(
    (result) => ({ unexpectedly: result }),
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((error as WorkflowUpdateFailedError).cause?.message).toMatch(message);
  const events = await eventsOf(handle);
  expect(events.map(updateIdOf)).not.toContain(updateId);
  const added = events.slice(before).filter((event) => !WORKFLOW_TASK_EVENTS.has(event.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED) && !endsActivityScheduledBefore(event, before));
  expect(added).toEqual([]);
}

/** The most activities that were running at the same time. */
export function mostAtOnce(events: ActivityEvent[]): number {
  let running = 0;
  let most = 0;
  for (const event of events) {
    running += event.phase === 'start' ? 1 : -1;
    most = Math.max(most, running);
  }
  return most;
}

/** Whether a promise is still pending after the workflow had time to act on everything before it. */
export async function stillPending(promise: Promise<unknown>, afterMs = 750): Promise<boolean> {
  const pending = Symbol('pending');
  const settled = await Promise.race([promise.then(() => undefined, () => undefined), new Promise((resolve) => setTimeout(() => resolve(pending), afterMs))]);
  return settled === pending;
}

/** Polls until `probe` answers something truthy (a signal is handled a moment after it is sent). */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const value = await probe();
    if (value) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until the account's workflow reports this status. */
export function reachStatus(handle: AccountHandle, status: string): Promise<true> {
  return eventually(`status ${status}`, async () => (await handle.query(stateQuery)).status === status);
}

/** Waits until the account's owner was notified of this change (the last effect of a status change). */
export function notified(stub: StubAccount, kind: NotifyKind): Promise<true> {
  return eventually(`the ${kind} notification`, async () =>
    stub.events.some((event) => event.name === 'notify' && event.phase === 'end' && (event.input as NotifyInput).kind === kind),
  );
}
