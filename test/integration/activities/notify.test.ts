import { createHmac, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../../../activities/notify/email.js';
import { upsertConnectedAccount } from '../../../db/accounts.js';
import { inActivity, useActivityWorld } from './support.js';

// Real SMTP (smtp-server on port 0, reached through the production nodemailer transport) and a real
// HTTP receiver that verifies webhook signatures.

const WEBHOOK_SECRET = 'w'.repeat(40);

interface ReceivedMail {
  to: string[];
  raw: string;
}

const mails: ReceivedMail[] = [];
const webhooks: { body: string; signatureValid: boolean }[] = [];
let webhookStatus = 200;
let smtp: SMTPServer;
let receiver: Server;
let smtpPort = 0;
let receiverUrl = '';

function verifySignature(header: string | undefined, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', WEBHOOK_SECRET).update(`${match[1]}.${body}`).digest();
  const fresh = Math.abs(Date.now() / 1000 - Number(match[1])) < 300;
  return fresh && timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;

  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (webhookStatus === 200) webhooks.push({ body, signatureValid: verifySignature(req.headers['tether-signature'] as string | undefined, body) });
      res.writeHead(webhookStatus).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/tether`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

let mailer: Mailer | undefined;
const smtpMailer = () => (mailer ??= createMailer({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'Tether <no-reply@tether.example>' }));
const world = useActivityWorld({
  configOverrides: () => ({ WEBHOOK_URL: receiverUrl, WEBHOOK_SECRET, SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, EMAIL_FROM: 'Tether <no-reply@tether.example>' }),
  mailer: smtpMailer,
});

async function connectAccount(externalId: string) {
  const { accountId } = await upsertConnectedAccount(world.db.models, {
    ownerId: world.ownerId,
    penNameId: world.penNameId,
    platform: 'x',
    identity: { externalId, handle: `handle_${externalId}`, displayName: 'Someone' },
  });
  return accountId;
}

const unfold = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/\r?\n\s+/g, ' ');

describe('notify', () => {
  it("twice with one dedupe key: one notification, one email, one signed webhook, no tokens; dates in the owner's zone", async () => {
    const accountId = await connectAccount('n-1');
    await world.db.models.User.updateOne({ _id: world.ownerId }, { $set: { timeZone: 'Europe/Berlin' } });
    try {
      await notifyTwiceAndCheck(accountId);
    } finally {
      await world.db.models.User.updateOne({ _id: world.ownerId }, { $unset: { timeZone: '' } });
    }
  });

  async function notifyTwiceAndCheck(accountId: string) {
    await world.store.storeConnectedCredentials(accountId, { accessToken: 'secret-access-token-123', refreshToken: 'secret-refresh-token-456' }, new Date());
    const owner = await world.db.models.User.findById(world.ownerId).lean();
    const activities = world.activities();
    const deadline = Date.UTC(2031, 2, 4, 9, 30);
    const input = {
      accountId,
      kind: 'expiring' as const,
      reason: { code: 'authorization_ending' as const, at: deadline },
      deadline,
      dedupeKey: `${accountId}:1`,
    };
    const mailsBefore = mails.length;
    const hooksBefore = webhooks.length;
    await inActivity(activities.notify, input);
    await inActivity(activities.notify, input);

    const docs = await world.db.models.Notification.find({ dedupeKey: input.dedupeKey }).lean();
    expect(docs).toHaveLength(1);
    const doc = docs[0]!;
    expect(doc).toMatchObject({
      accountId,
      ownerId: world.ownerId,
      kind: 'expiring',
      link: `/connections/${accountId}/reconnect`,
      email: { state: 'sent', attempts: 1 },
      webhook: { state: 'sent', attempts: 1 },
    });
    expect(doc.title).toBe('Reconnect X @handle_n-1 by 4 Mar 2031, 10:30 Europe/Berlin');
    const phrased = 'The X authorization can no longer be renewed and ends on 4 Mar 2031, 10:30 Europe/Berlin — reconnect before then';
    expect(doc.body).toContain(`${phrased}.`);
    expect(doc.reason).toEqual({ code: 'authorization_ending', message: phrased });

    expect(mails.length - mailsBefore).toBe(1);
    const mail = mails.at(-1)!;
    expect(mail.to).toEqual([owner!.email]);
    const text = unfold(mail.raw);
    // Quoted-printable: the dash is encoded, the words before it are not.
    expect(text).toContain('The X authorization can no longer be renewed and ends on 4 Mar 2031, 10:30 Europe/Berlin =E2=80=94 reconnect before then.');
    expect(text).toContain('will stop working on 4 Mar 2031, 10:30 Europe/Berlin.');
    expect(text).not.toContain('09:30 UTC');
    expect(text).toContain(`https://tether.example/connections/${accountId}/reconnect`);

    expect(webhooks.length - hooksBefore).toBe(1);
    const hook = webhooks.at(-1)!;
    expect(hook.signatureValid).toBe(true);
    expect(JSON.parse(hook.body)).toEqual({
      id: doc._id,
      type: 'account.expiring',
      accountId,
      platform: 'x',
      handle: 'handle_n-1',
      penName: 'Main',
      reason: { code: 'authorization_ending', message: phrased },
      deadline: new Date(deadline).toISOString(),
      link: `https://tether.example/connections/${accountId}/reconnect`,
      createdAt: doc.createdAt.toISOString(),
    });
    for (const secret of ['secret-access-token-123', 'secret-refresh-token-456']) {
      expect(mail.raw).not.toContain(secret);
      expect(hook.body).not.toContain(secret);
      expect(JSON.stringify(doc)).not.toContain(secret);
    }
  }

  it('many overlapping attempts with one dedupe key send one email and one webhook; the ones that found it in progress finish on retry', async () => {
    const accountId = await connectAccount('n-overlap');
    const real = smtpMailer()!;
    // A slow SMTP round trip keeps the first sender inside its claim while the others arrive.
    const activities = world.activities({ mailer: { sendMail: async (message) => (await sleep(300), real.sendMail(message)) } });
    const input = { accountId, kind: 'expired' as const, reason: { code: 'token_revoked' as const, detail: 'X says access was revoked' }, dedupeKey: `${accountId}:overlap` };
    const mailsBefore = mails.length;
    const hooksBefore = webhooks.length;
    const attempts = await Promise.allSettled(Array.from({ length: 12 }, () => inActivity(activities.notify, input)));
    for (const attempt of attempts) if (attempt.status === 'rejected') expect(String(attempt.reason)).toMatch(/in progress in another attempt/);
    // Temporal retries the attempts that failed; each finds both channels done.
    await inActivity(activities.notify, input);
    expect(mails.length - mailsBefore).toBe(1);
    expect(webhooks.length - hooksBefore).toBe(1);
    expect(await world.db.models.Notification.findById(input.dedupeKey).lean()).toMatchObject({ email: { state: 'sent', attempts: 1 }, webhook: { state: 'sent', attempts: 1 } });
  });

  it('a failing webhook receiver fails the activity; the retry sends the webhook once and not the email again', async () => {
    const accountId = await connectAccount('n-2');
    const activities = world.activities();
    const input = { accountId, kind: 'expired' as const, reason: { code: 'token_revoked' as const, detail: 'X says access was revoked' }, dedupeKey: `${accountId}:2` };
    const mailsBefore = mails.length;
    const hooksBefore = webhooks.length;

    webhookStatus = 503;
    await expect(inActivity(activities.notify, input)).rejects.toThrow(/webhook receiver answered HTTP 503/);
    let doc = await world.db.models.Notification.findOne({ dedupeKey: input.dedupeKey }).lean();
    expect(doc).toMatchObject({ email: { state: 'sent', attempts: 1 }, webhook: { state: 'failed', attempts: 1 } });
    expect(doc?.webhook.lastError).toMatch(/503/);
    expect(mails.length - mailsBefore).toBe(1);

    webhookStatus = 200;
    await inActivity(activities.notify, input);
    await inActivity(activities.notify, input);
    doc = await world.db.models.Notification.findOne({ dedupeKey: input.dedupeKey }).lean();
    expect(doc).toMatchObject({ email: { state: 'sent', attempts: 1 }, webhook: { state: 'sent', attempts: 2 } });
    expect(mails.length - mailsBefore).toBe(1);
    expect(webhooks.length - hooksBefore).toBe(1);
    expect(JSON.parse(webhooks.at(-1)!.body)).toMatchObject({ type: 'account.expired', reason: { code: 'token_revoked', message: 'X says access was revoked' }, deadline: null });
    expect(await world.db.models.Notification.countDocuments({ dedupeKey: input.dedupeKey })).toBe(1);
  });

  it('a user who turned email off gets the in-app notice and the webhook only', async () => {
    const accountId = await connectAccount('n-3');
    await world.db.models.User.updateOne({ _id: world.ownerId }, { $set: { 'emailNotifications.recovered': false } });
    try {
      const mailsBefore = mails.length;
      await inActivity(world.activities().notify, { accountId, kind: 'recovered', dedupeKey: `${accountId}:3` });
      const doc = await world.db.models.Notification.findOne({ dedupeKey: `${accountId}:3` }).lean();
      expect(doc).toMatchObject({ email: { state: 'skipped', attempts: 0 }, webhook: { state: 'sent' }, link: `/connections#account-${accountId}` });
      expect(mails.length).toBe(mailsBefore);
    } finally {
      await world.db.models.User.updateOne({ _id: world.ownerId }, { $set: { 'emailNotifications.recovered': true } });
    }
  });

  it('sends no email to an address that is not confirmed (registered but unconfirmed, or from before confirmation), only the in-app notice and the webhook', async () => {
    const accountId = await connectAccount('n-6');
    const confirmedAt = (await world.db.models.User.findById(world.ownerId).lean())!.emailVerifiedAt;
    try {
      for (const [step, unconfirmed] of [{ $set: { emailVerifiedAt: null } }, { $unset: { emailVerifiedAt: '' } }].entries()) {
        await world.db.models.User.updateOne({ _id: world.ownerId }, unconfirmed);
        const mailsBefore = mails.length;
        const hooksBefore = webhooks.length;
        await inActivity(world.activities().notify, { accountId, kind: 'expired', dedupeKey: `${accountId}:unconfirmed-${step}` });
        const doc = await world.db.models.Notification.findOne({ dedupeKey: `${accountId}:unconfirmed-${step}` }).lean();
        expect(doc).toMatchObject({ email: { state: 'skipped', attempts: 0 }, webhook: { state: 'sent' } });
        expect(mails.length).toBe(mailsBefore);
        expect(webhooks.length - hooksBefore).toBe(1);
      }
    } finally {
      await world.db.models.User.updateOne({ _id: world.ownerId }, { $set: { emailVerifiedAt: confirmedAt } });
    }
    // Confirmed again, the same kind of notice is emailed.
    const mailsBefore = mails.length;
    await inActivity(world.activities().notify, { accountId, kind: 'expired', dedupeKey: `${accountId}:confirmed` });
    expect(mails.length - mailsBefore).toBe(1);
  });

  it('names a deleted pen name as removed, in the notice and the webhook', async () => {
    const penName = await world.db.models.PenName.create({ ownerId: world.ownerId, name: 'Short-lived' });
    const { accountId } = await upsertConnectedAccount(world.db.models, {
      ownerId: world.ownerId,
      penNameId: penName._id,
      platform: 'x',
      identity: { externalId: 'n-5', handle: 'handle_n-5', displayName: 'Someone' },
    });
    await world.db.models.PenName.deleteOne({ _id: penName._id });
    const hooksBefore = webhooks.length;
    await inActivity(world.activities().notify, { accountId, kind: 'recovered', dedupeKey: `${accountId}:5` });
    const doc = await world.db.models.Notification.findOne({ dedupeKey: `${accountId}:5` }).lean();
    expect(doc).toMatchObject({ penName: '(removed pen name)', penNameId: penName._id, webhook: { state: 'sent' } });
    expect(webhooks.length - hooksBefore).toBe(1);
    expect(JSON.parse(webhooks.at(-1)!.body)).toMatchObject({ accountId, penName: '(removed pen name)' });
  });

  it('without SMTP and webhook configured, only the in-app notification is created', async () => {
    const accountId = await connectAccount('n-4');
    const hooksBefore = webhooks.length;
    const activities = world.activities({ mailer: undefined, config: { ...world.config, webhook: { secret: WEBHOOK_SECRET } } });
    await inActivity(activities.notify, { accountId, kind: 'disconnected', dedupeKey: `${accountId}:4` });
    const doc = await world.db.models.Notification.findOne({ dedupeKey: `${accountId}:4` }).lean();
    expect(doc).toMatchObject({ kind: 'disconnected', email: { state: 'skipped' }, webhook: { state: 'skipped' } });
    expect(webhooks.length).toBe(hooksBefore);
  });
});
