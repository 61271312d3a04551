import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { readStillCurrent } from '../../../activities/lifecycle/deps.js';

const readAt = 1_000_000;
const inAttempt = (info: Partial<Info>, now: number) => new MockActivityEnvironment({ scheduleToCloseTimeoutMs: 0, ...info }).run(async () => readStillCurrent(readAt, now));

describe('readStillCurrent', () => {
  it('holds until half the start-to-close timeout has passed since the read', async () => {
    expect(await inAttempt({ startToCloseTimeoutMs: 60_000 }, readAt + 29_999)).toBe(true);
    expect(await inAttempt({ startToCloseTimeoutMs: 60_000 }, readAt + 30_000)).toBe(false);
  });

  it('a shorter heartbeat timeout bounds it', async () => {
    expect(await inAttempt({ startToCloseTimeoutMs: 60_000, heartbeatTimeoutMs: 10_000 }, readAt + 4_999)).toBe(true);
    expect(await inAttempt({ startToCloseTimeoutMs: 60_000, heartbeatTimeoutMs: 10_000 }, readAt + 5_000)).toBe(false);
  });

  it('so does what is left of the schedule-to-close timeout when the read was made', async () => {
    const info = { startToCloseTimeoutMs: 60_000, scheduledTimestampMs: readAt - 50_000, scheduleToCloseTimeoutMs: 60_000 };
    expect(await inAttempt(info, readAt + 4_999)).toBe(true);
    expect(await inAttempt(info, readAt + 5_000)).toBe(false);
  });
});
