import type { Models } from '../../db/models/index.js';
import { runPaced } from '../shared/pool.js';
import { summarize, type LatencySummary } from '../shared/stats.js';

// The database server's floor for refreshNow's commands in this run: as many `ping`s (no data, no
// storage) as refreshNow sends commands, one after another as it sends them, straight through the
// driver, the rounds started at refreshNow's rate (so the machine idles between them as between
// renewals). No implementation of those commands, sent one after another, can beat it on this server.

export interface DatabaseFloor {
  /** Pings per round: refreshNow's database commands per update. */
  commands: number;
  /** One round of `commands` pings, back to back. */
  roundMs: LatencySummary;
}

export async function measureDatabaseFloor(models: Models, input: { commands: number; rounds: number; perSecond: number }): Promise<DatabaseFloor> {
  const db = models.Account.db.db;
  if (!db) throw new Error('the database connection is not open');
  const commands = Math.max(1, Math.round(input.commands));
  const rounds = await runPaced(Array.from({ length: input.rounds }), input.perSecond, async () => {
    for (let i = 0; i < commands; i++) await db.command({ ping: 1 });
  });
  return { commands, roundMs: summarize(rounds.latenciesMs) };
}
