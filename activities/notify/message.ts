import { PLATFORM_NAMES, type PlatformId } from '../../platforms/types.js';
import { formatDateTime, phraseReason, sentence } from '../../services/phrasing/index.js';
import type { NotifyKind, Reason } from '../../workflows/lifecycle/types.js';
import { displayHandle } from '../../platforms/handle.js';

// The words of a status notification, shared by the in-app notice, the email and the webhook, with
// every date in the owner's time zone (read later, so always with the date).

export interface NotificationSubject {
  accountId: string;
  platform: PlatformId;
  handle: string;
  penName: string;
}

export interface NotificationText {
  title: string;
  body: string;
  /** The reason in words, when there is one (the webhook's `reason.message`). */
  reason?: string;
  /** Dashboard path to open (reconnect page when the user has something to do). */
  link: string;
}

export function notificationLink(kind: NotifyKind, accountId: string): string {
  const id = encodeURIComponent(accountId);
  return kind === 'expiring' || kind === 'expired' ? `/connections/${id}/reconnect` : `/connections#account-${id}`;
}

export function buildNotificationText(subject: NotificationSubject, kind: NotifyKind, timeZone: string, reason?: Reason, deadline?: number): NotificationText {
  const who = `${PLATFORM_NAMES[subject.platform]} ${displayHandle(subject.handle)}`;
  const where = ` (pen name “${subject.penName}”)`;
  const phrased = reason ? phraseReason(reason, { platform: subject.platform, timeZone }) : undefined;
  const because = phrased ? ` ${sentence(phrased)}` : '';
  const by = deadline === undefined ? '' : ` by ${formatDateTime(deadline, timeZone)}`;
  const texts: Record<NotifyKind, { title: string; body: string }> = {
    expiring: {
      title: `Reconnect ${who}${by}`,
      body: `${who}${where} will stop working${deadline === undefined ? ' soon' : ` on ${formatDateTime(deadline, timeZone)}`}.${because} Reconnect it to keep posting.`,
    },
    expired: {
      title: `${who} needs reconnecting`,
      body: `${who}${where} stopped working.${because} Its scheduled posts are paused until you reconnect it.`,
    },
    reconnected: {
      title: `${who} is reconnected`,
      body: `${who}${where} is connected again. Scheduled posts resume.`,
    },
    recovered: {
      title: `${who} is working again`,
      body: `${who}${where} renewed its access and needs nothing from you.`,
    },
    disconnected: {
      title: `${who} was disconnected`,
      body: `${who}${where} was disconnected from Tether.${because}`,
    },
  };
  return { ...texts[kind], ...(phrased ? { reason: phrased } : {}), link: notificationLink(kind, subject.accountId) };
}
