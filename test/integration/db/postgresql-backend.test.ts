import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseServer } from '../../../tools/binaries.js';
import { freePort } from '../../../tools/process.js';
import { startDatabaseServer, type RunningDatabase } from '../../../tools/servers.js';
import { uniqueName } from '../../helpers/integration.js';
import { describeExclusiveClaims } from './exclusivity.js';

// EMBEDDED_DB_BACKEND=postgresql: the embedded FerretDB on a PostgreSQL cluster, started by the
// same code as `npm start` (tools/binaries.ts, tools/servers.ts), runs Tether's data layer: every
// claim, lease and version that must win once, many attempts at once. (PostgreSQL reserves schema
// names that start with pg_, and FerretDB maps each database to a schema: such names fail here.)

let scratch: string;
let database: RunningDatabase | undefined;
const lines: string[] = [];

beforeAll(async () => {
  // PostgreSQL runs as user postgres when we are root: its cluster's parent must be reachable.
  scratch = mkdtempSync(path.join(tmpdir(), 'tether-pg-'));
  chmodSync(scratch, 0o711);
  const server = await databaseServer({ backend: 'postgresql' });
  database = await startDatabaseServer({ server, port: await freePort(), dataDir: path.join(scratch, 'cluster'), onLine: (line) => lines.push(line) });
}, 120_000);

afterAll(async () => {
  await database?.process.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the embedded FerretDB on the PostgreSQL backend', () => {
  it('stores in PostgreSQL: FerretDB names it as its backend, and the cluster logged that it accepts connections', async () => {
    const client = await MongoClient.connect(database!.uri);
    try {
      const name = uniqueName('onpg').replace(/-/g, '_');
      await client.db(name).collection('probe').insertOne({ _id: 'one' as never, at: new Date() });
      expect(await client.db(name).collection('probe').countDocuments({ _id: 'one' as never })).toBe(1);
      const { log } = (await client.db('admin').command({ getLog: 'startupWarnings' })) as { log: string[] };
      expect(log.join('\n')).toMatch(/Powered by FerretDB \S+ and PostgreSQL \d+/);
      await client.db(name).dropDatabase();
    } finally {
      await client.close();
    }
    expect(lines.some((line) => line.includes('ready to accept connections'))).toBe(true);
  });
});

describe('the PostgreSQL cluster of the embedded FerretDB', () => {
  it('keeps its data across a restart on the same data directory, as npm start does', async () => {
    const dataDir = path.join(scratch, 'restarted');
    const server = await databaseServer({ backend: 'postgresql' });
    const name = uniqueName('kept').replace(/-/g, '_');
    const withServer = async <T>(work: (client: MongoClient) => Promise<T>): Promise<T> => {
      const running = await startDatabaseServer({ server, port: await freePort(), dataDir, onLine: () => {} });
      const client = await MongoClient.connect(running.uri);
      try {
        return await work(client);
      } finally {
        await client.close();
        await running.process.stop();
      }
    };
    await withServer((client) => client.db(name).collection('kept').insertOne({ _id: 'first' as never }));
    expect(await withServer((client) => client.db(name).collection('kept').countDocuments())).toBe(1);
  });
});

describeExclusiveClaims('exclusive claims on FerretDB (PostgreSQL)', { mongoUri: () => `${database!.uri}/${uniqueName('onpg').replace(/-/g, '_')}` });
