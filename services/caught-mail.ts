import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// Development email: what `npm start`'s mail catcher received, one JSON file per message in the
// data directory, listed by the dashboard at /dev/mail. Nothing here runs in production.

export interface CaughtMail {
  id: string;
  /** ISO time the catcher received it. */
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  /** The plain-text part (every Tether email has one). */
  text: string;
}

export function writeCaughtMail(dir: string, mail: Omit<CaughtMail, 'id' | 'receivedAt'>, receivedAt = new Date()): CaughtMail {
  mkdirSync(dir, { recursive: true });
  const caught: CaughtMail = { id: randomUUID(), receivedAt: receivedAt.toISOString(), ...mail };
  // The time first, so a directory listing sorts oldest to newest.
  writeFileSync(path.join(dir, `${caught.receivedAt.replace(/[:.]/g, '-')}-${caught.id}.json`), JSON.stringify(caught, null, 2), { mode: 0o600 });
  return caught;
}

/** The newest `limit` caught messages, newest first; none when nothing was caught yet. */
export function listCaughtMail(dir: string, limit = 50): CaughtMail[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return files
    .sort()
    .reverse()
    .slice(0, limit)
    .flatMap((name) => {
      try {
        return [JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as CaughtMail];
      } catch {
        return [];
      }
    });
}
