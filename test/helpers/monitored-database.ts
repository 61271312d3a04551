import { countCommands, type CommandCounter } from '../../db/command-counter.js';
import { ensureIndexes } from '../../db/models/index.js';
import { openDatabase, testConfig, type TestDatabase } from './integration.js';

export interface MonitoredDatabase extends TestDatabase {
  /** Counts the commands sent (db/command-counter.ts). */
  counter: CommandCounter;
}

/** The test server's database with command monitoring on and indexes built; `close` drops it. */
export async function openMonitoredDatabase(): Promise<MonitoredDatabase> {
  const db = await openDatabase(testConfig(), { monitorCommands: true });
  await ensureIndexes(db.models);
  return { ...db, counter: countCommands(db.connection) };
}
