import mongoose, { type Connection } from 'mongoose';

/**
 * A dedicated mongoose connection (not the global one), so web, worker and each test file own
 * theirs. Works against MongoDB 7+ and FerretDB 1.24: nothing here needs sessions or transactions.
 */
export async function connectDatabase(uri: string, options: { serverSelectionTimeoutMS?: number; monitorCommands?: boolean } = {}): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    retryWrites: false,
    autoIndex: true,
    // Only for counting round trips (db/command-counter.ts).
    monitorCommands: options.monitorCommands ?? false,
  });
  await connection.asPromise();
  return connection;
}

export async function databasePing(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('database connection is not open');
  await db.command({ ping: 1 });
}
