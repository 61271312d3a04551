import { DateTime, IANAZone } from 'luxon';

// Moments as people read them: the wall clock in their IANA time zone, and which zone
// ("21 Jan 2027, 15:05 Europe/Berlin"; "… 14:05 UTC" for UTC).

/** An instant as the layers hand it over: epoch ms, a Date, or an ISO string. */
export type Instant = number | Date | string;

export const isTimeZone = (zone: string): boolean => IANAZone.isValidZone(zone);

/** The zone a user chose (stored on their document), if it is still a known zone; else UTC. */
export function zoneOrUtc(stored: string | undefined): string {
  return stored && isTimeZone(stored) ? stored : 'UTC';
}

export function millisOf(at: Instant): number {
  if (typeof at === 'number') return at;
  if (at instanceof Date) return at.getTime();
  return Date.parse(at);
}

// One fixed locale: month names must not change with the server's.
const inZone = (at: Instant, zone: string) => DateTime.fromMillis(millisOf(at), { zone: zoneOrUtc(zone), locale: 'en-US' });

/** "21 Jan 2027, 15:05 Europe/Berlin" */
export function formatDateTime(at: Instant, zone: string): string {
  return inZone(at, zone).toFormat('d LLL yyyy, HH:mm z');
}

/** "15:05 Europe/Berlin" */
export function formatTime(at: Instant, zone: string): string {
  return inZone(at, zone).toFormat('HH:mm z');
}

/**
 * The time alone when the moment is later on the reader's day (in their zone), else date and time.
 * Without `now` (texts read later, like emails) always the date and time.
 */
export function formatMoment(at: Instant, zone: string, now?: number): string {
  const ms = millisOf(at);
  const laterToday = now !== undefined && ms >= now && inZone(ms, zone).hasSame(inZone(now, zone), 'day');
  return laterToday ? formatTime(ms, zone) : formatDateTime(ms, zone);
}
