import type { Delivery, Notification, NotificationKind } from '../../db/models/notification.js';
import { emailConfirmed, emailPreferencesOf, type User } from '../../db/models/user.js';
import { notificationEmail } from '../notify/email.js';
import { buildNotificationText } from '../notify/message.js';
import { sendWebhook, type WebhookPayload } from '../notify/webhook.js';
import { zoneOrUtc } from '../../services/phrasing/index.js';
import type { NotifyInput } from './contract.js';
import { activityLog, penNameOf, requireAccount, type LifecycleContext } from './deps.js';
import { isDuplicateKey } from '../../db/duplicate-key.js';

// Exactly one notification per dedupe key: the document is inserted once (its _id is the key), then each
// channel (email, webhook) is delivered while it is still pending and marked sent right after.
// A retry after a crash or a failure delivers only what is still pending.

type Channel = 'email' | 'webhook';

/** How long one attempt holds a channel; longer than the slowest send (SMTP timeouts, 10 s webhook). */
const CLAIM_MS = 60_000;
/** Only to a confirmed address: nobody can point Tether's email at someone else's inbox. */
const emailWanted = (owner: Pick<User, 'emailNotifications' | 'emailVerifiedAt'>, kind: NotificationKind): boolean =>
  emailConfirmed(owner) && emailPreferencesOf(owner.emailNotifications)[kind];

export function notifyActivities(context: LifecycleContext) {
  const { models, config, mailer, clock } = context;
  const { Notification: notifications } = models;

  async function createOnce(input: NotifyInput): Promise<Notification> {
    const account = await requireAccount(models, input.accountId);
    const [penName, owner] = await Promise.all([penNameOf(models, account), models.User.findById(account.ownerId).lean()]);
    const subject = { accountId: account._id, platform: account.platform, handle: account.handle, penName };
    const { reason, ...text } = buildNotificationText(subject, input.kind, zoneOrUtc(owner?.timeZone), input.reason, input.deadline);
    const wantsEmail = Boolean(mailer && owner && emailWanted(owner, input.kind));
    const delivery = (wanted: boolean): Delivery => ({ state: wanted ? 'pending' : 'skipped', attempts: 0 });
    const document: Notification = {
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
    };
    try {
      await notifications.create(document);
      return document;
    } catch (error) {
      // An earlier or concurrent attempt inserted it first; theirs is the one.
      if (!isDuplicateKey(error)) throw error;
    }
    const stored = await notifications.findById(input.dedupeKey).lean();
    if (!stored) throw new Error(`notification ${input.dedupeKey} was not stored`);
    return stored;
  }

  /** Takes the channel if it still needs sending and no other attempt holds it. */
  async function claim(id: string, channel: Channel): Promise<boolean> {
    const now = clock();
    const claimed = await notifications.updateOne(
      {
        _id: id,
        [`${channel}.state`]: { $in: ['pending', 'failed'] },
        $or: [{ [`${channel}.claimedUntil`]: { $exists: false } }, { [`${channel}.claimedUntil`]: { $lte: now } }],
      },
      { $set: { [`${channel}.claimedUntil`]: new Date(now.getTime() + CLAIM_MS) }, $inc: { [`${channel}.attempts`]: 1 } },
    );
    return claimed.modifiedCount === 1;
  }

  async function finish(id: string, channel: Channel, update: { state: 'sent' | 'skipped' | 'failed'; lastError?: string }) {
    const set: Record<string, unknown> = { [`${channel}.state`]: update.state };
    if (update.state === 'sent') set[`${channel}.sentAt`] = clock();
    if (update.lastError !== undefined) set[`${channel}.lastError`] = update.lastError;
    await notifications.updateOne({ _id: id }, { $set: set, $unset: { [`${channel}.claimedUntil`]: '' } });
  }

  /** Returns an error message when the channel could not be delivered (the activity then fails and is retried). */
  async function deliver(notification: Notification, channel: Channel, send: () => Promise<'sent' | 'skipped'>): Promise<string | undefined> {
    const state = notification[channel].state;
    if (state === 'sent' || state === 'skipped') return undefined;
    if (!(await claim(notification._id, channel))) {
      const current = await notifications.findById(notification._id).lean();
      const now = current?.[channel].state;
      return now === 'sent' || now === 'skipped' ? undefined : `${channel} delivery is in progress in another attempt`;
    }
    try {
      const outcome = await send();
      await finish(notification._id, channel, { state: outcome });
      context.metrics.notification(channel, outcome);
      return undefined;
    } catch (error) {
      context.metrics.notification(channel, 'failed');
      const message = (error as Error).message;
      await finish(notification._id, channel, { state: 'failed', lastError: message.slice(0, 500) });
      return `${channel}: ${message}`;
    }
  }

  const absolute = (link: string) => `${config.web.publicUrl}${link}`;

  async function sendEmail(notification: Notification): Promise<'sent' | 'skipped'> {
    const owner = await models.User.findById(notification.ownerId).lean();
    // Read again at sending time: an opt-out saved since the notice was created still holds.
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
      const notification = await createOnce(input);
      // One channel after the other: concurrent updates of one document lose writes on FerretDB.
      const problems: string[] = [];
      for (const [channel, send] of [['email', sendEmail], ['webhook', postWebhook]] as const) {
        const problem = await deliver(notification, channel, () => send(notification));
        if (problem) problems.push(problem);
      }
      if (problems.length > 0) {
        activityLog().warn('notification delivery failed; will retry', { dedupeKey: input.dedupeKey, problems });
        throw new Error(`notification ${input.dedupeKey} not fully delivered: ${problems.join('; ')}`);
      }
    },
  };
}
