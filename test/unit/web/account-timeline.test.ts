import { describe, expect, it } from 'vitest';
import type { AccountEvent } from '../../../db/models/account-event.js';
import { drawTimeline } from '../../../web/connections/timeline.js';

const hour = 3600_000;
const from = Date.parse('2027-01-10T00:00:00Z');
const event = (kind: AccountEvent['kind'], hours: number, extra: Partial<AccountEvent> = {}): AccountEvent => ({
  _id: `a:${kind}${hours}`,
  accountId: 'a',
  sequence: `${kind}${hours}`,
  kind,
  at: new Date(from + hours * hour),
  ...extra,
});

describe('the account timeline drawing', () => {
  it('draws a band per state stretch from the state before the range, coloured like the pills, and a marker per event', () => {
    const states = [event('deauthorized', 6, { state: 'expired' }), event('reconnected', 9, { state: 'active' })];
    const markers = [event('renewed', 2), ...states];
    const drawn = drawTimeline({ from, to: from + 24 * hour, states, stateBefore: 'active', markers, undrawn: 0, reader: { timeZone: 'Europe/Berlin', now: from + 24 * hour }, platform: 'x' });
    expect(drawn.bands.map((band) => band.tone)).toEqual(['ok', 'danger', 'ok']);
    expect(drawn.bands[1]!.label).toBe('Token expired from 10 Jan 2027, 07:00 Europe/Berlin to 10 Jan 2027, 10:00 Europe/Berlin');
    const [first, second, third] = drawn.bands;
    expect(first!.x).toBe(10);
    expect(second!.x).toBeCloseTo(10 + (6 / 24) * 740, 5);
    expect(third!.x + third!.width).toBeCloseTo(750, 5);
    expect(drawn.markers.map((marker) => [marker.kind, marker.tone])).toEqual([['renewed', 'ok'], ['deauthorized', 'danger'], ['reconnected', 'ok']]);
    expect(drawn.markers[0]!.title).toContain('Renewed — Token renewed');
    expect(drawn.ticks.map((tick) => tick.label)).toEqual(['01:00 Europe/Berlin', '07:00 Europe/Berlin', '13:00 Europe/Berlin', '19:00 Europe/Berlin', '01:00 Europe/Berlin']);
  });

  it('draws no band before the first known state', () => {
    const drawn = drawTimeline({ from, to: from + 10 * hour, states: [event('connected', 5, { state: 'active' })], markers: [], undrawn: 0, reader: { timeZone: 'UTC', now: from }, platform: 'x' });
    expect(drawn.bands).toHaveLength(1);
    expect(drawn.bands[0]!.x).toBeCloseTo(10 + 0.5 * 740, 5);
  });
});
