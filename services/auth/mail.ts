import { escapeHtml, type MailMessage } from '../mailer.js';

// The emails of registration, address confirmation and password reset. Each carries one link; the
// text says how long it works and what to do when the email was not expected.

export const CONFIRM_LINK_HOURS = 48;
export const RESET_LINK_HOURS = 1;

interface LinkEmail {
  from: string;
  to: string;
  subject: string;
  paragraphs: string[];
  action: { label: string; url: string };
  closing: string;
}

function linkEmail(email: LinkEmail): MailMessage {
  return {
    from: email.from,
    to: email.to,
    subject: email.subject,
    text: `${email.paragraphs.join('\n\n')}\n\n${email.action.label}: ${email.action.url}\n\n${email.closing}\n\n— Tether\n`,
    html: [
      ...email.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
      `<p><a href="${escapeHtml(email.action.url)}">${escapeHtml(email.action.label)}</a></p>`,
      `<p style="color:#666;font-size:12px">${escapeHtml(email.closing)} — Tether</p>`,
    ].join('\n'),
  };
}

export function confirmAddressEmail(input: { from: string; to: string; name: string; url: string }): MailMessage {
  return linkEmail({
    from: input.from,
    to: input.to,
    subject: 'Confirm your email address for Tether',
    paragraphs: [`Hello ${input.name},`, `Confirm that ${input.to} is your address to finish creating your Tether account.`],
    action: { label: 'Confirm my address', url: input.url },
    closing: `The link works once, for ${CONFIRM_LINK_HOURS} hours. If you did not create a Tether account, ignore this email.`,
  });
}

export function alreadyRegisteredEmail(input: { from: string; to: string; loginUrl: string; resetUrl: string }): MailMessage {
  return linkEmail({
    from: input.from,
    to: input.to,
    subject: 'You already have a Tether account',
    paragraphs: [
      `Someone, hopefully you, tried to create a Tether account with ${input.to}. This address already has one, so nothing was created.`,
      `Log in at ${input.loginUrl}, or choose a new password if you forgot yours.`,
    ],
    action: { label: 'Choose a new password', url: input.resetUrl },
    closing: 'If this was not you, ignore this email; your account is unchanged.',
  });
}

export function resetPasswordEmail(input: { from: string; to: string; url: string }): MailMessage {
  return linkEmail({
    from: input.from,
    to: input.to,
    subject: 'Reset your Tether password',
    paragraphs: [`Someone, hopefully you, asked to reset the password of the Tether account for ${input.to}.`, 'Choosing a new password logs you out everywhere else.'],
    action: { label: 'Choose a new password', url: input.url },
    closing: `The link works once, for ${RESET_LINK_HOURS} hour. If you did not ask, ignore this email; your password stays as it is.`,
  });
}
