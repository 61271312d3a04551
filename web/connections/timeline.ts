import { z } from 'zod';
import type { AccountState } from '../../db/models/account.js';
import type { AccountEvent, AccountEventKind } from '../../db/models/account-event.js';
import type { PlatformId } from '../../platforms/types.js';
import { EVENT_TITLES, formatDate, formatDateTime, formatTime, phraseEvent } from '../../services/phrasing/index.js';
import type { PillTone } from './page-model.js';
import type { Reader } from '../reader.js';

// The account page's timeline as data the view draws: an SVG with a time axis, the lifecycle state
// as coloured bands (the pills' colours), one marker per event, and the range links; beside it the
// list of events with filters and paging. Pure: the page model reads the events.

export const RANGES = { '24h': 24 * 3600_000, '7d': 7 * 24 * 3600_000, '30d': 30 * 24 * 3600_000, all: undefined } as const;
export type RangeKey = keyof typeof RANGES;

export const EVENT_GROUPS = {
  all: undefined,
  lifecycle: ['connected', 'reconnected', 'warning', 'expired', 'deauthorized', 'disconnected', 'recovered'],
  renewals: ['renewed', 'renewalFailed', 'rateLimited', 'checked', 'checkFailed', 'premiumChecked'],
  notifications: ['notificationSent'],
  posts: ['postPublished', 'postFailed', 'postWaiting', 'postsPaused', 'postsResumed'],
} as const satisfies Record<string, readonly AccountEventKind[] | undefined>;
export type EventGroup = keyof typeof EVENT_GROUPS;

export const timelineQuery = z.object({
  range: z.enum(Object.keys(RANGES) as [RangeKey, ...RangeKey[]]).default('7d'),
  show: z.enum(Object.keys(EVENT_GROUPS) as [EventGroup, ...EventGroup[]]).default('all'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type TimelineQuery = z.infer<typeof timelineQuery>;

export const STATE_TONES: Record<AccountState, PillTone> = { active: 'ok', expiring: 'warn', expired: 'danger', disconnected: 'pending' };
const STATE_LABELS: Record<AccountState, string> = { active: 'Active', expiring: 'Expiring soon', expired: 'Token expired', disconnected: 'Disconnected' };

const WIDTH = 760;
const LEFT = 10;
const RIGHT = 750;
const TICKS = 4;
const DAY = 24 * 3600_000;

/** Short enough that the labels never overlap: times within a day, dates beyond a week. */
function tickLabel(at: number, span: number, zone: string): string {
  if (span <= DAY) return formatTime(at, zone);
  if (span > 7 * DAY) return formatDate(at, zone);
  return formatDateTime(at, zone);
}

export interface TimelineSvg {
  width: number;
  height: number;
  bands: { x: number; width: number; tone: PillTone; label: string }[];
  markers: { x: number; y: number; kind: AccountEventKind; tone: PillTone; title: string; anchor: string }[];
  ticks: { x: number; label: string }[];
  from: string;
  to: string;
  /** Markers beyond the drawn ones (only the latest are drawn). */
  undrawn: number;
}

const MARKER_TONES: Partial<Record<AccountEventKind, PillTone>> = {
  renewalFailed: 'warn',
  rateLimited: 'warn',
  checkFailed: 'warn',
  warning: 'warn',
  postWaiting: 'warn',
  postsPaused: 'warn',
  expired: 'danger',
  deauthorized: 'danger',
  postFailed: 'danger',
  disconnected: 'pending',
};

/** Rows for the markers, so kinds of events do not hide each other. */
const ROW_OF = (kind: AccountEventKind): number => {
  if ((EVENT_GROUPS.lifecycle as readonly string[]).includes(kind)) return 0;
  if ((EVENT_GROUPS.renewals as readonly string[]).includes(kind)) return 1;
  if (kind === 'notificationSent') return 2;
  return 3;
};

export const eventAnchor = (event: Pick<AccountEvent, 'sequence'>) => `event-${event.sequence.replace(/[^A-Za-z0-9_-]/g, '-')}`;

export function drawTimeline(input: {
  from: number;
  to: number;
  /** State-carrying events inside the range, oldest first, and the one before it. */
  states: Pick<AccountEvent, 'at' | 'state'>[];
  stateBefore?: AccountState;
  /** Events to mark (any order). */
  markers: AccountEvent[];
  undrawn: number;
  reader: Reader;
  platform: PlatformId;
}): TimelineSvg {
  const { from, reader } = input;
  const to = Math.max(input.to, from + 60_000);
  const xOf = (at: number) => LEFT + ((Math.min(Math.max(at, from), to) - from) / (to - from)) * (RIGHT - LEFT);
  const bands: TimelineSvg['bands'] = [];
  let state = input.stateBefore;
  let start = from;
  const close = (end: number) => {
    if (state && end > start) bands.push({ x: xOf(start), width: Math.max(1, xOf(end) - xOf(start)), tone: STATE_TONES[state], label: `${STATE_LABELS[state]} from ${formatDateTime(start, reader.timeZone)} to ${formatDateTime(end, reader.timeZone)}` });
  };
  for (const event of input.states) {
    if (!event.state || event.state === state) continue;
    const at = event.at.getTime();
    close(at);
    state = event.state;
    start = Math.max(at, from);
  }
  close(to);
  const context = { timeZone: reader.timeZone, platform: input.platform, now: reader.now };
  const markers = input.markers.map((event) => ({
    x: xOf(event.at.getTime()),
    y: 40 + ROW_OF(event.kind) * 16,
    kind: event.kind,
    tone: MARKER_TONES[event.kind] ?? 'ok',
    title: `${formatDateTime(event.at, reader.timeZone)}: ${EVENT_TITLES[event.kind]} — ${phraseEvent(event, context)}`,
    anchor: eventAnchor(event),
  }));
  const ticks = Array.from({ length: TICKS + 1 }, (_, index) => {
    const at = from + ((to - from) * index) / TICKS;
    return { x: xOf(at), label: tickLabel(at, to - from, reader.timeZone) };
  });
  return { width: WIDTH, height: 130, bands, markers, ticks, from: formatDateTime(from, reader.timeZone), to: formatDateTime(to, reader.timeZone), undrawn: input.undrawn };
}
