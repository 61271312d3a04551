import { describe, expect, it } from 'vitest';
import { futureInstantOf, suggestedTime } from '../../../web/posts/time.js';

const wording = { missing: 'MISSING', past: 'PAST' };
const now = new Date('2026-03-29T12:00:00Z');

describe('suggestedTime', () => {
  it('is the next whole five minutes an hour from now, in the zone', () => {
    expect(suggestedTime(new Date('2026-06-03T10:02:10Z'), 'UTC')).toBe('2026-06-03T11:05');
    expect(suggestedTime(new Date('2026-06-03T10:05:00Z'), 'UTC')).toBe('2026-06-03T11:05');
    expect(suggestedTime(new Date('2026-06-03T10:02:10Z'), 'Europe/Berlin')).toBe('2026-06-03T13:05');
  });
});

describe('futureInstantOf', () => {
  it('turns a future wall-clock time in the zone into its instant', () => {
    const result = futureInstantOf('2026-03-29T16:30', 'Europe/Berlin', now, wording);
    expect(result).toEqual({ ok: true, at: new Date('2026-03-29T14:30:00Z') });
  });

  it('words a missing time as the caller asks', () => {
    expect(futureInstantOf(undefined, 'UTC', now, wording)).toEqual({ ok: false, message: 'MISSING' });
    expect(futureInstantOf('', 'UTC', now, wording)).toEqual({ ok: false, message: 'MISSING' });
  });

  it('refuses a time the clocks skip, with the reason', () => {
    const result = futureInstantOf('2026-03-29T02:30', 'Europe/Berlin', new Date('2026-01-01T00:00:00Z'), wording);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/does not exist in Europe\/Berlin/);
  });

  it('refuses a past time, allowing only the grace asked for', () => {
    expect(futureInstantOf('2026-03-29T11:59', 'UTC', now, wording)).toEqual({ ok: false, message: 'PAST' });
    expect(futureInstantOf('2026-03-29T11:59', 'UTC', now, wording, 60_000)).toEqual({ ok: true, at: new Date('2026-03-29T11:59:00Z') });
    expect(futureInstantOf('2026-03-29T11:58', 'UTC', now, wording, 60_000)).toEqual({ ok: false, message: 'PAST' });
  });
});
