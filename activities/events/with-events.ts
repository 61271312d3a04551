// Wraps a set of activities with what each one's calls write to the account timeline. The map is
// typed over the activity contract: every activity must name its events, or say it writes none, so
// an activity added to a contract fails to compile until its timeline is decided.

type Activity = (...args: never[]) => Promise<unknown>;

/** How an activity's call ended: what it answered, or what it threw (rethrown after the events are written). */
export type Settled<F extends Activity> = { ok: true; value: Awaited<ReturnType<F>> } | { ok: false; error: unknown };

/**
 * Writes the events of one finished call. `startedAt` is when the call began: an operation that
 * records the status it leads to (a renewal, a check) writes those status events before it
 * returns, so its own event is dated from its start to come before them on the timeline.
 */
export type EventWriter<F extends Activity> = (input: Parameters<F>, settled: Settled<F>, startedAt: Date) => Promise<void>;

/**
 * For each activity: its event writer, or `'none'` when its outcome reaches the timeline another way
 * (a status write's own events) or is not a timeline event at all.
 */
export type TimelineOf<A> = { [K in keyof A]-?: A[K] extends Activity ? EventWriter<A[K]> | 'none' : never };

export function withEvents<A extends { [K in keyof A]: Activity }>(activities: A, timeline: TimelineOf<A>, clock: () => Date): A {
  const wrapped = { ...activities };
  for (const name of Object.keys(timeline) as (keyof A)[]) {
    const write = timeline[name];
    if (write === 'none') continue;
    const run = activities[name];
    const withTimeline = async (...input: Parameters<A[keyof A]>) => {
      const startedAt = clock();
      let value: Awaited<ReturnType<A[keyof A]>>;
      try {
        value = (await run(...input)) as Awaited<ReturnType<A[keyof A]>>;
      } catch (error) {
        await write(input, { ok: false, error }, startedAt);
        throw error;
      }
      await write(input, { ok: true, value }, startedAt);
      return value;
    };
    wrapped[name] = withTimeline as A[keyof A];
  }
  return wrapped;
}
