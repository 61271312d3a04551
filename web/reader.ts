import type { Request } from 'express';
import { zoneOrUtc } from '../services/phrasing/index.js';

// Who reads the page or flash being made: their time zone (`req.user.timeZone`, the zone they last
// composed in; UTC until they choose one) and the moment they read it. Phrasing takes both.

export interface Reader {
  timeZone: string;
  now: number;
}

export function readerOf(req: Request, now: number = Date.now()): Reader {
  return { timeZone: zoneOrUtc(req.user?.timeZone), now };
}
