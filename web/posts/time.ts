import { DateTime } from 'luxon';
import { formatDateTime, isTimeZone, zoneOrUtc } from '../../services/phrasing/index.js';

// Times as people write and read them: a wall-clock time in an IANA zone, turned into an instant
// (refusing times a DST change skips) and shown back in the post's zone.

/** Every zone the runtime knows, UTC first (Intl leaves UTC out of its list). */
export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];

export { isTimeZone };

/** The list for a select, with `current` added when Intl names it otherwise (Asia/Kolkata is listed as Asia/Calcutta). */
export function timeZonesWith(current: string): readonly string[] {
  return TIME_ZONES.includes(current) || !isTimeZone(current) ? TIME_ZONES : [current, ...TIME_ZONES];
}

/** How a datetime-local input writes a time: 2026-03-29T14:30, seconds optional. */
export const LOCAL_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

export type LocalTimeResult = { ok: true; at: Date } | { ok: false; message: string };

/** The instant a wall-clock time in `zone` names; refused when it does not exist there. */
export function instantOf(local: string, zone: string): LocalTimeResult {
  const parsed = DateTime.fromISO(local, { zone });
  if (!parsed.isValid) return { ok: false, message: 'is not a date and time' };
  // Luxon moves a time that a DST change skips forward; the wall clock then reads differently.
  const written = local.length === 16 ? parsed.toFormat("yyyy-MM-dd'T'HH:mm") : parsed.toFormat("yyyy-MM-dd'T'HH:mm:ss");
  if (written !== local) {
    return { ok: false, message: `${local.replace('T', ' ')} does not exist in ${zone} (the clocks change then); choose another time` };
  }
  return { ok: true, at: parsed.toJSDate() };
}

/** "3 Jun 2026, 14:30 Europe/Berlin": the wall clock in the given zone, and which zone. */
export function formatIn(date: Date, zone: string): string {
  return formatDateTime(date, zone);
}

/** The value a datetime-local input shows for an instant in a zone. */
export function localInputValue(date: Date, zone: string): string {
  return DateTime.fromJSDate(date, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** The zone a user last composed in, if it is still a known zone; else UTC. */
export const preferredZone = zoneOrUtc;

/** The next whole five minutes, an hour from now: what a new time field starts at. */
export function suggestedTime(now: Date, zone: string): string {
  const step = 5 * 60_000;
  return localInputValue(new Date(Math.ceil((now.getTime() + 60 * 60_000) / step) * step), zone);
}

/** How a form words a time that is missing or has passed; other problems come from `instantOf`. */
export interface FutureTimeWording {
  missing: string;
  past: string;
}

/**
 * The instant a wall-clock time in `zone` names, when it was given, exists there, and is not
 * earlier than `graceMs` before `now`.
 */
export function futureInstantOf(local: string | undefined, zone: string, now: Date, wording: FutureTimeWording, graceMs = 0): LocalTimeResult {
  if (!local) return { ok: false, message: wording.missing };
  const instant = instantOf(local, zone);
  if (!instant.ok) return instant;
  if (instant.at.getTime() < now.getTime() - graceMs) return { ok: false, message: wording.past };
  return instant;
}
