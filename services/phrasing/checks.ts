import type { PhrasingContext } from './reasons.js';
import { formatDateTime, formatMoment, type Instant } from './time.js';

// When the platform last accepted a connection and when Tether checks it next, in the reader's
// time zone: "Last checked 21 Jan 2027, 14:05 UTC; next check 15:05 UTC."

export function phraseHealthCheck(lastCheckedAt: Instant, nextCheckAt: Instant | undefined, context: Pick<PhrasingContext, 'timeZone' | 'now'>): string {
  const next = nextCheckAt === undefined ? '' : `; next check ${formatMoment(nextCheckAt, context.timeZone, context.now)}`;
  return `Last checked ${formatDateTime(lastCheckedAt, context.timeZone)}${next}.`;
}
