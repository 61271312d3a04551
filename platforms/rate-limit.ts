// Turning rate-limit signals (headers, quota windows) into an absolute reset time, and showing it.

/**
 * Reads the reset time from the headers platforms use: `x-rate-limit-reset` (X, epoch seconds),
 * `RateLimit-Reset` / `x-ratelimit-reset` (epoch seconds on Bluesky; delta seconds in the IETF
 * draft, told apart by size), `Retry-After` (seconds or an HTTP date). Falls back to now + fallbackSec.
 */
export function rateLimitResetFromHeaders(headers: Headers, now: Date, fallbackSec: number): string {
  const candidates = [headers.get('x-rate-limit-reset'), headers.get('ratelimit-reset'), headers.get('x-ratelimit-reset')];
  for (const raw of candidates) {
    const at = parseResetValue(raw, now);
    if (at) return at.toISOString();
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return new Date(now.getTime() + seconds * 1000).toISOString();
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return new Date(date).toISOString();
  }
  return new Date(now.getTime() + fallbackSec * 1000).toISOString();
}

function parseResetValue(raw: string | null, now: Date): Date | undefined {
  if (!raw) return undefined;
  const value = Number(raw.trim());
  if (!Number.isFinite(value) || value < 0) return undefined;
  // Anything after 2001 as epoch seconds is an absolute time; small numbers are a delta.
  if (value > 1_000_000_000) return new Date(value * 1000);
  return new Date(now.getTime() + value * 1000);
}

export function secondsFromNow(now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString();
}

export function nextMidnightUtc(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString();
}

/** The next 00:00 wall-clock time in an IANA time zone (YouTube quota resets at midnight Pacific). */
export function nextMidnightInZone(now: Date, timeZone: string): string {
  const local = zonedParts(now, timeZone);
  // Guess midnight of the next local day as if it were UTC, then correct by the zone's offset twice
  // (the second pass settles DST transitions).
  const wallClock = Date.UTC(local.year, local.month - 1, local.day + 1);
  let instant = wallClock;
  for (let i = 0; i < 2; i += 1) instant = wallClock - zoneOffsetMs(new Date(instant), timeZone);
  return new Date(instant).toISOString();
}

function zonedParts(date: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(date);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? '0');
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

function zoneOffsetMs(date: Date, timeZone: string): number {
  const p = zonedParts(date, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(date.getTime() / 1000) * 1000;
}

/** "14:05 UTC" when the reset is within a day, "2026-11-23 14:05 UTC" otherwise. */
export function describeResetAt(resetAtIso: string, now: Date): string {
  const at = new Date(resetAtIso);
  const time = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')} UTC`;
  if (at.getTime() - now.getTime() < 24 * 3600 * 1000) return time;
  return `${at.toISOString().slice(0, 10)} ${time}`;
}
