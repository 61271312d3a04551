import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../../../activities/notify/email.js';
import { upsertConnectedAccount } from '../../../db/accounts.js';
import { DEFAULT_EMAIL_PREFERENCES, type EmailPreferences } from '../../../db/models/user.js';
import { inActivity, useActivityWorld } from './support.js';

// The owner's email preferences decide the email channel only: an opted-out kind is `skipped`,
// while the in-app notification is still created and the webhook still sent. Real SMTP server.

const mails: string[][] = [];
let webhooksReceived = 0;
let smtp: SMTPServer;
let receiver: Server;
let smtpPort = 0;
let receiverUrl = '';

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        mails.push(session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  receiver = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      webhooksReceived += 1;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

let mailer: Mailer | undefined;
const world = useActivityWorld({
  configOverrides: () => ({ WEBHOOK_URL: receiverUrl, WEBHOOK_SECRET: 's'.repeat(40), SMTP_URL: `smtp://127.0.0.1:${smtpPort}` }),
  mailer: () => (mailer ??= createMailer({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'Tether <no-reply@tether.example>' })),
});

let externalIds = 0;
async function connectAccount() {
  const { accountId } = await upsertConnectedAccount(world.db.models, {
    ownerId: world.ownerId,
    penNameId: world.penNameId,
    platform: 'x',
    identity: { externalId: `pref-${++externalIds}`, handle: `pref_${externalIds}`, displayName: 'Someone' },
  });
  return accountId;
}

const setPreferences = (preferences: Partial<EmailPreferences>) =>
  world.db.models.User.updateOne({ _id: world.ownerId }, { $set: { emailNotifications: { ...DEFAULT_EMAIL_PREFERENCES, ...preferences } } });

const stored = (dedupeKey: string) => world.db.models.Notification.findById(dedupeKey).lean();

describe('notify honours the owner’s email preferences', () => {
  beforeEach(async () => {
    await setPreferences({});
  });

  it('an opted-out kind: no email (skipped), yet the in-app notification and the webhook', async () => {
    await setPreferences({ expired: false });
    const accountId = await connectAccount();
    const mailsBefore = mails.length;
    const hooksBefore = webhooksReceived;
    const input = { accountId, kind: 'expired' as const, reason: { code: 'token_revoked' as const, detail: 'X says access was revoked' }, dedupeKey: `${accountId}:1` };
    await inActivity(world.activities().notify, input);

    const doc = await stored(input.dedupeKey);
    expect(doc).toMatchObject({ ownerId: world.ownerId, penNameId: world.penNameId, kind: 'expired', email: { state: 'skipped', attempts: 0 }, webhook: { state: 'sent' } });
    expect(doc?.readAt).toBeUndefined();
    expect(mails.length).toBe(mailsBefore);
    expect(webhooksReceived - hooksBefore).toBe(1);
  });

  it('a kind still chosen is emailed to the same owner', async () => {
    await setPreferences({ expired: false });
    const accountId = await connectAccount();
    const owner = await world.db.models.User.findById(world.ownerId).lean();
    const mailsBefore = mails.length;
    await inActivity(world.activities().notify, { accountId, kind: 'expiring', deadline: Date.now() + 86_400_000, dedupeKey: `${accountId}:1` });
    expect(await stored(`${accountId}:1`)).toMatchObject({ email: { state: 'sent', attempts: 1 } });
    expect(mails.slice(mailsBefore)).toEqual([[owner!.email]]);
  });

  it('reconnections are not emailed by default', async () => {
    const accountId = await connectAccount();
    const mailsBefore = mails.length;
    await inActivity(world.activities().notify, { accountId, kind: 'reconnected', dedupeKey: `${accountId}:1` });
    expect(await stored(`${accountId}:1`)).toMatchObject({ kind: 'reconnected', email: { state: 'skipped' }, webhook: { state: 'sent' } });
    expect(mails.length).toBe(mailsBefore);
  });

  it('an opt-out saved before a retry stops the email that failed the first time', async () => {
    const accountId = await connectAccount();
    const input = { accountId, kind: 'disconnected' as const, dedupeKey: `${accountId}:1` };
    const failing: Mailer = { sendMail: () => Promise.reject(new Error('SMTP is down')) };
    await expect(inActivity(world.activities({ mailer: failing }).notify, input)).rejects.toThrow(/SMTP is down/);
    expect(await stored(input.dedupeKey)).toMatchObject({ email: { state: 'failed', attempts: 1 } });

    await setPreferences({ disconnected: false });
    const mailsBefore = mails.length;
    await inActivity(world.activities().notify, input);
    expect(await stored(input.dedupeKey)).toMatchObject({ email: { state: 'skipped', attempts: 2 }, webhook: { state: 'sent' } });
    expect(mails.length).toBe(mailsBefore);
  });

  it('a user stored with the earlier single switch turned off gets no email', async () => {
    await world.db.models.User.collection.updateOne({ _id: world.ownerId as never }, { $set: { emailNotifications: false } });
    const accountId = await connectAccount();
    const mailsBefore = mails.length;
    await inActivity(world.activities().notify, { accountId, kind: 'expired', dedupeKey: `${accountId}:1` });
    expect(await stored(`${accountId}:1`)).toMatchObject({ email: { state: 'skipped' }, webhook: { state: 'sent' } });
    expect(mails.length).toBe(mailsBefore);
  });
});
