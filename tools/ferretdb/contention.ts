import { MongoClient } from 'mongodb';

// Write contention on a MongoDB-wire server, as 1,000 reconnects at once cause it: each client
// inserts a version document, upserts a head by `_id`, deletes the previous version by `_id` and
// reads the new one, three times. Prints throughput, latency and every failure (db/README.md).
//
//   npx tsx tools/ferretdb/contention.ts mongodb://127.0.0.1:27017 [clients]
//
// It drops and uses the database `tether_contention`.

const [uri, clientsArg] = process.argv.slice(2);
if (!uri) throw new Error('usage: contention.ts <mongodb uri> [clients]');
const clients = Number(clientsArg ?? 1000);

const client = new MongoClient(uri, { maxPoolSize: 100 });
await client.connect();
const db = client.db('tether_contention');
await db.dropDatabase();
const versions = db.collection<{ _id: string; accountId?: string; version?: number; sealed?: string }>('versions');
const heads = db.collection<{ _id: string; version?: number }>('heads');
await versions.insertOne({ _id: 'warm' });

const latencies: number[] = [];
const failures: { operation: string; ms: number; message: string }[] = [];
const timed = async (operation: string, run: () => Promise<unknown>) => {
  const started = Date.now();
  try {
    await run();
    latencies.push(Date.now() - started);
  } catch (error) {
    failures.push({ operation, ms: Date.now() - started, message: (error as Error).message.slice(-80) });
    throw error;
  }
};

const started = Date.now();
await Promise.allSettled(
  Array.from({ length: clients }, async (_, index) => {
    for (let version = 1; version <= 3; version++) {
      await timed('insert', () => versions.insertOne({ _id: `a${index}:${version}`, accountId: `a${index}`, version, sealed: 'x'.repeat(300) }));
      await timed('upsert', () => heads.updateOne({ _id: `a${index}` }, { $max: { version } }, { upsert: true }));
      await timed('delete', () => versions.deleteOne({ _id: `a${index}:${version - 1}` }));
      await timed('find', () => versions.findOne({ _id: `a${index}:${version}` }));
    }
  }),
);
const seconds = (Date.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))];
console.log(
  JSON.stringify({ clients, failedClients: failures.length, opsPerSec: Math.round(latencies.length / seconds), p50Ms: at(0.5), p99Ms: at(0.99), maxMs: latencies.at(-1), failures }),
);
await db.dropDatabase();
await client.close();
