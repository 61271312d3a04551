import { createTransport } from 'nodemailer';
import type { Config } from '../config/index.js';

// Tether's email goes through this small interface, which any nodemailer transport satisfies, so
// tests can point a real transport at a local SMTP server (or at `npm start`'s mail catcher).

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
  // Bounded waits: a send must fail (and be retried) rather than hang on a dead server.
  return createTransport({ url: email.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
