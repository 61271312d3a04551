import { createTransport } from 'nodemailer';
import type { Config } from '../../config/index.js';
import type { NotificationText } from './message.js';

// Notification email. Activities depend on this small interface, which any nodemailer transport
// satisfies, so tests can point a real transport at a local SMTP server.

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  sendMail(message: MailMessage): Promise<unknown>;
}

/** The SMTP transport for `SMTP_URL`, or undefined when email is disabled. */
export function createMailer(email: Config['email']): Mailer | undefined {
  if (!email.smtpUrl) return undefined;
  // Bounded waits: an activity must fail (and be retried) rather than hang on a dead server.
  return createTransport({ url: email.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function notificationEmail(input: { from: string; to: string; text: NotificationText; url: string; actionLabel: string; settingsUrl: string }): MailMessage {
  const { title, body } = input.text;
  return {
    from: input.from,
    to: input.to,
    subject: title,
    text: `${body}\n\n${input.actionLabel}: ${input.url}\n\n— Tether\nChoose which emails you get: ${input.settingsUrl}\n`,
    html: [
      `<p>${escapeHtml(body)}</p>`,
      `<p><a href="${escapeHtml(input.url)}">${escapeHtml(input.actionLabel)}</a></p>`,
      `<p style="color:#666;font-size:12px">— Tether. <a href="${escapeHtml(input.settingsUrl)}">Choose which emails you get</a>.</p>`,
    ].join('\n'),
  };
}
