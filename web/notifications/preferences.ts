import { z } from 'zod';
import type { EmailPreferences } from '../../db/models/user.js';
import { NOTIFICATION_KINDS, type NotificationKind } from '../../db/models/notification.js';

// The email preferences form: one checkbox per notification kind, grouped as the page shows them.

export const PREFERENCE_GROUPS: { heading: string; kinds: { kind: NotificationKind; label: string; hint: string }[] }[] = [
  {
    heading: 'When an account needs you',
    kinds: [
      { kind: 'expiring', label: 'Reconnect warnings', hint: 'An account will stop working soon unless you reconnect it.' },
      { kind: 'expired', label: 'Stopped accounts', hint: 'An account stopped working; its scheduled posts are paused.' },
      { kind: 'disconnected', label: 'Disconnections', hint: 'An account was disconnected from Tether.' },
    ],
  },
  {
    heading: 'When an account is fine again',
    kinds: [
      { kind: 'recovered', label: 'Working again', hint: 'An account that was about to stop renewed itself; nothing to do.' },
      { kind: 'reconnected', label: 'Reconnections', hint: 'An account was reconnected and its posts resume.' },
    ],
  },
];

export const PREFERENCE_LABELS: Record<NotificationKind, string> = Object.fromEntries(
  PREFERENCE_GROUPS.flatMap((group) => group.kinds.map(({ kind, label }) => [kind, label])),
) as Record<NotificationKind, string>;

// A checked box posts "on"; an unchecked one posts nothing.
const checkbox = z.literal('on', { message: 'must be checked ("on") or left out' }).optional();

export const preferencesBody = z.object(Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, checkbox])) as Record<NotificationKind, typeof checkbox>);

export function toEmailPreferences(body: z.infer<typeof preferencesBody>): EmailPreferences {
  return Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, body[kind] === 'on'])) as EmailPreferences;
}
