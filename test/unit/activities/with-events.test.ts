import { describe, expect, it } from 'vitest';
import { withEvents, type TimelineOf } from '../../../activities/events/with-events.js';

// The typed timeline map: each declared writer hears every finished call (value or error, and when
// it started), activities marked 'none' run untouched, and errors still reach Temporal.

interface Pair {
  works(input: number): Promise<number>;
  fails(input: string): Promise<void>;
  quiet(): Promise<string>;
}

describe('withEvents', () => {
  const clock = () => new Date('2026-01-02T03:04:05Z');

  it('writes after each call, with the input, the outcome and its start, and rethrows failures', async () => {
    const heard: unknown[] = [];
    const activities: Pair = {
      works: async (input) => input * 2,
      fails: async (input) => {
        throw new Error(`no ${input}`);
      },
      quiet: async () => 'untouched',
    };
    const timeline: TimelineOf<Pair> = {
      works: async (input, settled, startedAt) => void heard.push({ input, settled, startedAt }),
      fails: async (input, settled) => void heard.push({ input, failed: !settled.ok && (settled.error as Error).message }),
      quiet: 'none',
    };
    const wrapped = withEvents(activities, timeline, clock);
    expect(await wrapped.works(21)).toBe(42);
    await expect(wrapped.fails('luck')).rejects.toThrow('no luck');
    expect(wrapped.quiet).toBe(activities.quiet);
    expect(heard).toEqual([
      { input: [21], settled: { ok: true, value: 42 }, startedAt: clock() },
      { input: ['luck'], failed: 'no luck' },
    ]);
  });

  it('does not compile a timeline that leaves an activity undecided (npm run typecheck fails on it)', () => {
    // @ts-expect-error `quiet` names neither its events nor 'none'
    const partial: TimelineOf<Pair> = { works: 'none', fails: 'none' };
    expect(Object.keys(partial)).toEqual(['works', 'fails']);
  });
});
