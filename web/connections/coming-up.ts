import type { Account } from '../../db/models/account.js';
import { displayHandle } from '../../platforms/handle.js';
import { formatMoment, phraseNextAction } from '../../services/phrasing/index.js';
import type { Reader } from '../reader.js';
import { grantEndOf } from './grant-end.js';

// "Coming up" on the Connections page: each account's next warning, token end and next planned
// step (a renewal, a check), soonest first, from the status projections the page already read.

export interface ComingUp {
  at: string;
  iso: string;
  text: string;
  href: string;
}

const LISTED = 20;

export function comingUpOf(accounts: Pick<Account, '_id' | 'handle' | 'status'>[], reader: Reader): ComingUp[] {
  const items: { ms: number; text: string; href: string }[] = [];
  for (const account of accounts) {
    const status = account.status;
    if (!status || status.state === 'disconnected' || status.state === 'expired') continue;
    const who = displayHandle(account.handle);
    const href = `/connections/${encodeURIComponent(account._id)}`;
    const add = (at: Date | undefined, text: string) => {
      if (at && at.getTime() >= reader.now) items.push({ ms: at.getTime(), text: `${who}: ${text}`, href });
    };
    if (status.nextAction && status.nextAction !== 'warn') add(status.nextActionAt, phraseNextAction(status.nextAction, undefined, reader));
    add(status.nextAction === 'warn' ? status.nextActionAt : undefined, 'Warns you about the coming expiry');
    add(status.warningDeadline, 'Stops working unless you reconnect');
    add(grantEndOf(status), 'Access ends');
  }
  return items
    .sort((a, b) => a.ms - b.ms)
    .slice(0, LISTED)
    .map((item) => ({ at: formatMoment(item.ms, reader.timeZone, reader.now), iso: new Date(item.ms).toISOString(), text: item.text, href: item.href }));
}
