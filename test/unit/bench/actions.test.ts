import { readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it } from 'vitest';
import { costOf } from '../../../bench/shared/actions.js';
import { EventType, eventId } from '../../../bench/shared/history.js';

// Billable actions read from a recorded account history: a connect as Temporal Cloud bills it
// (https://docs.temporal.io/cloud/actions), the SDK's `TemporalChangeVersion` upserts beside its
// patch markers left out.

const recorded = historyFromJSON(
  JSON.parse(readFileSync(path.join(import.meta.dirname, '../../histories/x-renewals-refresh-now-disconnect.connect-in-one-activity.json'), 'utf8')),
).events!;

describe('billable actions of a stretch of history', () => {
  it('bills a connect its start, update, activity and two upserts, not the three patch-marker upserts', () => {
    const completed = recorded.find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)!;
    const connect = costOf(recorded.filter((event) => eventId(event) <= eventId(completed)));
    expect(connect).toMatchObject({ events: 20, runsStarted: 1, updates: 1, activities: 1, timers: 0, upserts: 2, versionUpserts: 3, actions: 5 });
  });

  it('counts from an event on, as the cost benchmark reads the days after a connect', () => {
    const whole = costOf(recorded);
    const afterConnect = costOf(recorded, 20);
    expect(afterConnect.events).toBe(whole.events - 20);
    expect(afterConnect.runsStarted).toBe(0);
    expect(afterConnect.actions).toBe(whole.actions - 5);
  });
});
