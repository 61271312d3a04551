import { escapeHtml, type MailMessage } from '../../services/mailer.js';
import type { NotificationText } from './message.js';

// Notification email, sent through the mailer of services/mailer.ts.

export { createMailer, type MailMessage, type Mailer } from '../../services/mailer.js';

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
