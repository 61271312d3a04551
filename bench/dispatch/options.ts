import { parseArgs } from 'node:util';
import { RENEWALS_PER_SECOND } from '../../worker/create-worker.js';
import { positiveInteger } from '../shared/options.js';

// Command-line options of `npm run bench -- dispatch`.

export interface DispatchOptions {
  /** Activities queued at once per trial. */
  activities: number;
  /** The limit under test (activities per second). */
  rate: number;
  /** Idle time before a trial, so the limiter starts full as it would before a storm. */
  idleSec: number;
}

export const DISPATCH_USAGE = `npm run bench -- dispatch [options]

  How a rate-limited task queue hands out activities, the way Tether's renewal queues run: N
  activities queued at once on a queue limited to R per second, by the task-queue limit
  (maxTaskQueueActivitiesPerSecond), by the per-worker limit (maxActivitiesPerSecond) and by
  both, on a dev server with the default task-queue partitions and with one partition.

  --activities N   activities queued at once per trial (default 200)
  --rate R         the limit, per second (default ${RENEWALS_PER_SECOND.x}, the X renewal rate)
  --idle-sec S     idle time before each trial (default 3)`;

export function parseDispatchOptions(argv: string[]): DispatchOptions {
  const { values } = parseArgs({ args: argv, options: { activities: { type: 'string' }, rate: { type: 'string' }, 'idle-sec': { type: 'string' } }, strict: true });
  return {
    activities: positiveInteger('activities', values.activities, 200),
    rate: positiveInteger('rate', values.rate, RENEWALS_PER_SECOND.x),
    idleSec: positiveInteger('idle-sec', values['idle-sec'], 3),
  };
}
