import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { writeCaughtMail, type CaughtMail } from '../services/caught-mail.js';

// A local SMTP server that accepts every message and keeps it instead of delivering it: `npm start`
// runs one in development when SMTP_URL is unset (the dashboard lists what it caught at /dev/mail),
// and tests read the links of Tether's email from one.

export interface MailCatcher {
  port: number;
  /** For SMTP_URL. */
  url: string;
  /** Everything caught since the start, oldest first. */
  messages(): CaughtMail[];
  /** The first message (caught already or later) that `matches`; throws after `timeoutMs`. */
  waitFor(matches: (mail: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail>;
  close(): Promise<void>;
}

const addresses = (field: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((group) => group.value.map((entry) => entry.address ?? '')).filter(Boolean);

export async function startMailCatcher(options: { port?: number; host?: string; dir?: string; onMail?: (mail: CaughtMail) => void } = {}): Promise<MailCatcher> {
  const caught: CaughtMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 2 * 1024 * 1024,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const fields = {
            from: parsed.from?.text ?? session.envelope.mailFrom?.toString() ?? '',
            to: session.envelope.rcptTo.length > 0 ? session.envelope.rcptTo.map((r) => r.address) : addresses(parsed.to),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          };
          const mail = options.dir ? writeCaughtMail(options.dir, fields) : { id: String(caught.length + 1), receivedAt: new Date().toISOString(), ...fields };
          caught.push(mail);
          options.onMail?.(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://${options.host ?? '127.0.0.1'}:${port}`,
    messages: () => [...caught],
    async waitFor(matches, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = caught.find(matches);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching email within ${timeoutMs} ms (caught: ${caught.map((m) => `${m.to.join(',')} "${m.subject}"`).join('; ') || 'nothing'})`);
        await sleep(25);
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The first link in a message's text that starts with `prefix`. */
export function linkIn(mail: CaughtMail, prefix: string): string {
  const link = mail.text.split(/\s+/).find((word) => word.startsWith(prefix));
  if (!link) throw new Error(`no link starting with ${prefix} in "${mail.subject}"`);
  return link;
}
