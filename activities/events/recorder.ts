import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { appendAccountEvent, appendAccountEvents, type NewAccountEvent } from '../../db/account-events.js';
import type { Models } from '../../db/models/index.js';
import type { StoredStatusReason } from '../../db/models/reason.js';

// Writes one timeline event; the sequence names what caused it, so a retried attempt writes nothing new.

export type EventFacts = Omit<NewAccountEvent, 'sequence' | 'at'> & { at?: Date };

export interface EventRecorder {
  /** Records an event whose sequence the caller derives (a status sequence, a notification channel). */
  record(sequence: string, facts: EventFacts): Promise<void>;
  /** Records an event caused by the running activity: the same for every attempt of it. */
  recordForActivity(tag: string, facts: EventFacts): Promise<void>;
  /** Several events caused by the running activity, each tagged apart, in one write. */
  recordAllForActivity(events: Array<{ tag: string; facts: EventFacts }>): Promise<void>;
}

/** The running activity's identity within its workflow run; stable across its retries. */
function activitySequence(tag: string): string {
  try {
    const info = Context.current().info;
    return `${tag}:${info.workflowExecution?.runId ?? info.activityId}:${info.activityId}`;
  } catch {
    // Called outside an activity (a tool, a test): nothing retries it.
    return `${tag}:${randomUUID()}`;
  }
}

export function eventRecorder(models: Pick<Models, 'AccountEvent'>, clock: () => Date): EventRecorder {
  const record = async (sequence: string, facts: EventFacts) => {
    await appendAccountEvent(models, { ...facts, at: facts.at ?? clock(), sequence });
  };
  return {
    record,
    recordForActivity: (tag, facts) => record(activitySequence(tag), facts),
    recordAllForActivity: (events) =>
      appendAccountEvents(
        models,
        events.map(({ tag, facts }) => ({ ...facts, at: facts.at ?? clock(), sequence: activitySequence(tag) })),
      ),
  };
}

/** A reason as stored, from a platform failure's words. */
export const failureReason = (code: string, detail?: string, at?: Date): StoredStatusReason => ({ code, ...(detail ? { detail } : {}), ...(at ? { at } : {}) });
