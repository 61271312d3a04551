import type { Request } from 'express';

// After a new connection the Connections page offers a test post from the accounts just connected:
// the connect flow notes their ids in the session, and the next Connections view takes them.

declare module 'express-session' {
  interface SessionData {
    justConnected?: string[];
  }
}

export function noteJustConnected(req: Request, accountId: string): void {
  req.session.justConnected = [...(req.session.justConnected ?? []).slice(-9), accountId];
}

export function takeJustConnected(req: Request): string[] {
  const ids = req.session.justConnected ?? [];
  delete req.session.justConnected;
  return ids;
}
