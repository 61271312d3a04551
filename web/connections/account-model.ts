import { latestAccountEvents, latestEventOf, lastStateBefore, accountEventPage, stateEventsSince } from '../../db/account-events.js';
import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import { listPenNames } from '../../db/pen-names.js';
import { postsWaitingOn } from '../../db/posts.js';
import { PLATFORM_NAMES } from '../../platforms/types.js';
import { EVENT_TITLES, formatDateTime, phraseEvent, phraseNextAction } from '../../services/phrasing/index.js';
import type { Reader } from '../reader.js';
import { grantEndOf } from './grant-end.js';
import { pillFor, type AccountPill } from './page-model.js';
import { drawTimeline, EVENT_GROUPS, eventAnchor, RANGES, type TimelineQuery, type TimelineSvg } from './timeline.js';

// One account's page as data: identity, status and token facts in the reader's zone, its queue,
// the pen names it can move to, and its timeline. A fixed number of queries whatever the number of
// events: the account (read by the router), pen names, the queue (2), the last renewal and check,
// the state before the range, the range's states, its newest markers, and one page of the list.

/** Markers drawn at most; the list pages through the rest. */
const MARKERS_DRAWN = 500;
const LIST_PAGE = 25;
const QUEUE_LISTED = 50;

export interface AccountPage {
  pill: AccountPill;
  platformName: string;
  penName: string;
  facts: { label: string; value: string }[];
  queue: { id: string; excerpt: string; scheduledFor: string; paused: boolean }[];
  otherPenNames: { id: string; name: string }[];
  timeline: TimelineSvg;
  ranges: { key: string; label: string; href: string; current: boolean }[];
  filters: { key: string; label: string; href: string; current: boolean }[];
  list: { anchor: string; at: string; iso: string; title: string; text: string; postId?: string }[];
  pages: { previous?: string; next?: string; page: number };
}

const RANGE_LABELS: Record<keyof typeof RANGES, string> = { '24h': '24 hours', '7d': '7 days', '30d': '30 days', all: 'All' };
const GROUP_LABELS: Record<keyof typeof EVENT_GROUPS, string> = { all: 'Everything', lifecycle: 'Status changes', renewals: 'Renewals and checks', notifications: 'Notifications', posts: 'Posts' };

export async function loadAccountPage(models: Models, account: Account, query: TimelineQuery, reader: Reader): Promise<AccountPage> {
  const span = RANGES[query.range];
  const fromMs = span === undefined ? undefined : reader.now - span;
  const from = fromMs === undefined ? undefined : new Date(fromMs);
  const kinds = EVENT_GROUPS[query.show];
  const [penNames, queue, lastRenewal, lastCheck, before, states, markers, page] = await Promise.all([
    listPenNames(models, account.ownerId),
    postsWaitingOn(models, account._id, QUEUE_LISTED),
    latestEventOf(models, account._id, ['renewed']),
    latestEventOf(models, account._id, ['checked']),
    from ? lastStateBefore(models, account._id, from) : Promise.resolve(undefined),
    stateEventsSince(models, account._id, from),
    latestAccountEvents(models, account._id, from, MARKERS_DRAWN),
    accountEventPage(models, { accountId: account._id, kinds, from, skip: (query.page - 1) * LIST_PAGE, limit: LIST_PAGE }),
  ]);
  const zone = reader.timeZone;
  const status = account.status;
  const paused = status?.queuePaused ?? false;
  const oldest = markers.events.at(-1)?.at.getTime() ?? account.connectedAt.getTime();
  const context = { timeZone: zone, platform: account.platform, now: reader.now };
  const href = (change: Partial<TimelineQuery>) => {
    const next = { ...query, page: 1, ...change };
    return `/connections/${account._id}?range=${next.range}&show=${next.show}${next.page > 1 ? `&page=${next.page}` : ''}#timeline`;
  };
  const fact = (label: string, at: Date | undefined, otherwise = 'Not yet') => ({ label, value: at ? formatDateTime(at, zone) : otherwise });
  const facts = [
    fact('Connected since', account.connectedAt),
    fact('Last renewed', lastRenewal?.at),
    fact('Last checked', lastCheck?.at),
    {
      label: 'Next action',
      value: status?.nextAction && status.state !== 'disconnected' ? phraseNextAction(status.nextAction, status.nextActionAt, reader) : status?.state === 'expired' ? 'Waits for you to reconnect' : 'Nothing planned',
    },
    fact('Access ends', status && grantEndOf(status), 'No fixed end'),
    fact('Warning deadline', status?.warningDeadline, 'None'),
  ];
  return {
    pill: pillFor(account, reader),
    platformName: PLATFORM_NAMES[account.platform],
    penName: penNames.find((penName) => penName._id === account.penNameId)?.name ?? '(removed pen name)',
    facts,
    queue: queue.map((post) => ({ id: post.id, excerpt: post.excerpt, scheduledFor: formatDateTime(post.scheduledFor, zone), paused })),
    otherPenNames: penNames.filter((penName) => penName._id !== account.penNameId).map((penName) => ({ id: penName._id, name: penName.name })),
    timeline: drawTimeline({
      from: fromMs ?? Math.min(oldest, account.connectedAt.getTime()),
      to: reader.now,
      states,
      stateBefore: before?.state,
      markers: markers.events,
      undrawn: markers.more ? 1 : 0,
      reader,
      platform: account.platform,
    }),
    ranges: (Object.keys(RANGES) as (keyof typeof RANGES)[]).map((key) => ({ key, label: RANGE_LABELS[key], href: href({ range: key }), current: key === query.range })),
    filters: (Object.keys(EVENT_GROUPS) as (keyof typeof EVENT_GROUPS)[]).map((key) => ({ key, label: GROUP_LABELS[key], href: href({ show: key }), current: key === query.show })),
    list: page.events.map((event) => ({
      anchor: eventAnchor(event),
      at: formatDateTime(event.at, zone),
      iso: event.at.toISOString(),
      title: EVENT_TITLES[event.kind],
      text: phraseEvent(event, context),
      ...(event.postId ? { postId: event.postId } : {}),
    })),
    pages: {
      page: query.page,
      ...(query.page > 1 ? { previous: href({ page: query.page - 1 }) } : {}),
      ...(page.more ? { next: href({ page: query.page + 1 }) } : {}),
    },
  };
}
