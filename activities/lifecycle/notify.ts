import { claimDelivery, createNotificationOnce, finishDelivery, type Channel } from '../../db/notifications.js';
import type { Delivery, Notification, NotificationKind } from '../../db/models/notification.js';
import { emailConfirmed, emailPreferencesOf, type User } from '../../db/models/user.js';
import { findNotifiedUser } from '../../db/users.js';
import { notificationEmail } from '../notify/email.js';
import { buildNotificationText } from '../notify/message.js';
import { sendWebhook, type WebhookPayload } from '../notify/webhook.js';
import { zoneOrUtc } from '../../services/phrasing/index.js';
import type { NotifyInput } from './contract.js';
import { activityLog, penNameOf, requireAccount, type LifecycleContext } from './deps.js';

// Exactly one notification per dedupe key: the document is inserted once (its _id is the key), then each
// channel (email, webhook) is sent under a claim (db/notifications.ts), so two overlapping attempts never
// both send it, and marked sent right after. A retry after a crash or a failure delivers only what is still pending.

/** How long one attempt holds a channel; longer than the slowest send (SMTP timeouts, 10 s webhook). */
const CLAIM_MS = 60_000;
type Recipient = Pick<User, 'email' | 'emailNotifications' | 'emailVerifiedAt'>;
/** Only to a confirmed address: nobody can point Tether's email at someone else's inbox. */
const emailWanted = (owner: Pick<User, 'emailNotifications' | 'emailVerifiedAt'>, kind: NotificationKind): boolean =>
  emailConfirmed(owner) && emailPreferencesOf(owner.emailNotifications)[kind];

export function notifyActivities(context: LifecycleContext) {
  const { models, config, mailer, clock } = context;

  /** The notification, and its owner as read by this attempt when it created the notification. */
  async function createOnce(input: NotifyInput): Promise<{ notification: Notification; owner?: Recipient }> {
    const account = await requireAccount(models, input.accountId);
    const [penName, owner] = await Promise.all([penNameOf(models, account), findNotifiedUser(models, account.ownerId)]);
    const subject = { accountId: account._id, platform: account.platform, handle: account.handle, penName };
    const { reason, ...text } = buildNotificationText(subject, input.kind, zoneOrUtc(owner?.timeZone), input.reason, input.deadline);
    const wantsEmail = Boolean(mailer && owner && emailWanted(owner, input.kind));
    const delivery = (wanted: boolean): Delivery => ({ state: wanted ? 'pending' : 'skipped', attempts: 0 });
    const created = await createNotificationOnce(models, {
      // Keyed by the dedupe key: a point read everywhere (FerretDB scans on other fields), and the
      // unique _id makes the insert the exactly-once decision.
      _id: input.dedupeKey,
      dedupeKey: input.dedupeKey,
      ownerId: account.ownerId,
      penNameId: account.penNameId,
      penName: subject.penName,
      accountId: account._id,
      platform: account.platform,
      handle: account.handle,
      kind: input.kind,
      ...text,
      // The reason as the owner read it: the webhook sends these words later.
      ...(input.reason && reason ? { reason: { code: input.reason.code, message: reason } } : {}),
      ...(input.deadline === undefined ? {} : { deadline: new Date(input.deadline) }),
      createdAt: clock(),
      email: delivery(wantsEmail),
      webhook: delivery(Boolean(config.webhook.url)),
    });
    return created.created && owner ? { notification: created.notification, owner } : { notification: created.notification };
  }

  /** Returns an error message when the channel could not be delivered (the activity then fails and is retried). */
  async function deliver(notification: Notification, channel: Channel, send: () => Promise<'sent' | 'skipped'>): Promise<string | undefined> {
    const state = notification[channel].state;
    if (state === 'sent' || state === 'skipped') return undefined;
    const claim = await claimDelivery(models, { notification, channel, holder: context.workerIdentity, now: clock(), leaseMs: CLAIM_MS });
    if (!claim.claimed) return claim.done ? undefined : `${channel} delivery is in progress in another attempt`;
    const finish = (state: 'sent' | 'skipped' | 'failed', lastError?: string) =>
      finishDelivery(models, { id: notification._id, channel, attempt: claim.attempt, state, now: clock(), ...(lastError === undefined ? {} : { lastError }) });
    try {
      const outcome = await send();
      await finish(outcome);
      context.metrics.notification(channel, outcome);
      return undefined;
    } catch (error) {
      context.metrics.notification(channel, 'failed');
      const message = (error as Error).message;
      await finish('failed', message.slice(0, 500));
      return `${channel}: ${message}`;
    }
  }

  const absolute = (link: string) => `${config.web.publicUrl}${link}`;

  async function sendEmail(notification: Notification, justRead?: Recipient): Promise<'sent' | 'skipped'> {
    // Read again when an earlier attempt created the notice: an opt-out saved since then still holds.
    const owner = justRead ?? (await findNotifiedUser(models, notification.ownerId));
    if (!mailer || !owner || !emailWanted(owner, notification.kind)) return 'skipped';
    const actionLabel = notification.kind === 'expiring' || notification.kind === 'expired' ? 'Reconnect now' : 'Open Tether';
    await mailer.sendMail(
      notificationEmail({
        from: config.email.from,
        to: owner.email,
        text: { title: notification.title, body: notification.body, link: notification.link },
        url: absolute(notification.link),
        actionLabel,
        settingsUrl: absolute('/settings/notifications'),
      }),
    );
    return 'sent';
  }

  async function postWebhook(notification: Notification): Promise<'sent' | 'skipped'> {
    const url = config.webhook.url;
    if (!url) return 'skipped';
    const payload: WebhookPayload = {
      id: notification._id,
      type: `account.${notification.kind}`,
      accountId: notification.accountId,
      platform: notification.platform,
      handle: notification.handle,
      penName: notification.penName,
      reason: notification.reason ? { code: notification.reason.code, message: notification.reason.message } : null,
      deadline: notification.deadline?.toISOString() ?? null,
      link: absolute(notification.link),
      createdAt: notification.createdAt.toISOString(),
    };
    await sendWebhook({ url, secret: config.webhook.secret, now: () => clock().getTime() }, payload);
    return 'sent';
  }

  return {
    async notify(input: NotifyInput): Promise<void> {
      const { notification, owner } = await createOnce(input);
      // One channel after the other: concurrent updates of one document lose writes on FerretDB.
      const problems: string[] = [];
      const sends = { email: () => sendEmail(notification, owner), webhook: () => postWebhook(notification) };
      for (const channel of ['email', 'webhook'] as const) {
        const problem = await deliver(notification, channel, sends[channel]);
        if (problem) problems.push(problem);
      }
      if (problems.length > 0) {
        activityLog().warn('notification delivery failed; will retry', { dedupeKey: input.dedupeKey, problems });
        throw new Error(`notification ${input.dedupeKey} not fully delivered: ${problems.join('; ')}`);
      }
    },
  };
}
