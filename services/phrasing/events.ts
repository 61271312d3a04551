import type { AccountEvent, AccountEventKind } from '../../db/models/account-event.js';
import { phraseReason, type PhrasingContext } from './reasons.js';
import { formatDateTime } from './time.js';

// One timeline event in words: a short title (the marker's and the filter's name) and a sentence
// with its facts, every moment in the reader's time zone.

export const EVENT_TITLES: Record<AccountEventKind, string> = {
  connected: 'Connected',
  reconnected: 'Reconnected',
  renewed: 'Renewed',
  renewalFailed: 'Renewal failed',
  rateLimited: 'Rate-limited',
  checked: 'Checked',
  checkFailed: 'Check failed',
  warning: 'Warning',
  expired: 'Expired',
  deauthorized: 'Deauthorized by the platform',
  disconnected: 'Disconnected',
  recovered: 'Back to normal',
  notificationSent: 'Notification',
  postPublished: 'Post published',
  postFailed: 'Post failed',
  postWaiting: 'Post waiting',
  postsPaused: 'Queue paused',
  postsResumed: 'Queue resumed',
  premiumChecked: 'Premium checked',
};

const NOTICES: Record<string, string> = {
  expiring: 'the coming expiry',
  expired: 'the expiry',
  reconnected: 'the reconnect',
  recovered: 'the recovery',
  disconnected: 'the disconnect',
};

const CHANNELS: Record<string, string> = { dashboard: 'on the dashboard', email: 'by email', webhook: 'by webhook' };

export function phraseEvent(event: Pick<AccountEvent, 'kind' | 'reason' | 'expiresAt' | 'channel' | 'delivered' | 'notice' | 'detail'>, context: PhrasingContext): string {
  const why = event.reason ? phraseReason(event.reason, context) : undefined;
  const because = why ? `: ${why}` : '';
  switch (event.kind) {
    case 'connected':
      return 'Connected to Tether';
    case 'reconnected':
      return 'Reconnected with new credentials; the account works again';
    case 'renewed':
      return event.expiresAt ? `Token renewed; it now lasts until ${formatDateTime(event.expiresAt, context.timeZone)}` : 'Token renewed';
    case 'renewalFailed':
      return `Renewal failed${because}; Tether retries`;
    case 'rateLimited':
      return `Rate-limited by the platform${because}; Tether waits and tries again`;
    case 'checked':
      return event.expiresAt ? `Checked with the platform: it works, and Tether can act for you until ${formatDateTime(event.expiresAt, context.timeZone)}` : 'Checked with the platform: it works';
    case 'checkFailed':
      return `Token check failed${because}`;
    case 'warning':
      return `Warning: the account will stop working${because}`;
    case 'expired':
      return `Expired${because}`;
    case 'deauthorized':
      return `The platform ended Tether's access${because}`;
    case 'disconnected':
      return 'Disconnected from Tether';
    case 'recovered':
      return 'Renewals work again; no action needed';
    case 'notificationSent': {
      const about = NOTICES[event.notice ?? ''] ?? 'the account';
      const channel = CHANNELS[event.channel ?? ''] ?? `by ${event.channel ?? 'an unknown channel'}`;
      return event.delivered ? `Told you about ${about} ${channel}` : `Could not tell you about ${about} ${channel}; Tether retries`;
    }
    case 'postPublished':
      return event.detail ? `Post published: ${event.detail}` : 'Post published';
    case 'postFailed':
      return `${event.detail ? `${event.detail} failed` : 'Post failed'}${because}`;
    case 'postWaiting':
      return `Post not published yet${because}; it stays queued`;
    case 'postsPaused':
      return 'Scheduled posts paused until the account is reconnected';
    case 'postsResumed':
      return 'Scheduled posts resumed';
    case 'premiumChecked':
      return event.delivered === false ? `Premium status could not be read: ${event.detail ?? 'unknown error'}` : `Premium status read: ${event.detail ?? 'unknown'}`;
  }
}
