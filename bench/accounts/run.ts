import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { accountsByIds, upsertConnectedAccount } from '../../db/accounts.js';
import { connectDatabase } from '../../db/connection.js';
import { readAccountCounts } from '../../db/metrics-counts.js';
import { ACCOUNT_STATES } from '../../db/models/account.js';
import { createModels, type Models } from '../../db/models/index.js';
import { databaseServer } from '../../tools/binaries.js';
import { freePort } from '../../tools/process.js';
import { startDatabaseServer } from '../../tools/servers.js';
import { loadAverage, runtimeSec, withBenchRun } from '../shared/run.js';
import { summarize } from '../shared/stats.js';
import { parseAccountsOptions } from './options.js';
import { buildReport, type SizeResult } from './report.js';
import { cancels, storeTargets } from './targets.js';

// `npm run bench -- accounts`: does one account write cost more as the accounts grow? Accounts are
// inserted in bulk (as connects would leave them, with a status) up to each size; then each
// operation runs `--samples` times one after another, alone and while the gauges are read in a loop.
// As many post targets are stored, for a post's cancel of three of them (targets.ts).

const OWNER = 'bench-owner';
const PEN_NAMES = 50;

const storedAccount = (i: number, now: Date) => ({
  _id: randomUUID(),
  ownerId: OWNER,
  penNameId: `pen-${i % PEN_NAMES}`,
  platform: 'x',
  externalId: `stored-${i}`,
  handle: `stored${i}`,
  displayName: `Stored ${i}`,
  meta: {},
  connectedAt: now,
  status: { state: ACCOUNT_STATES[i % 3], queuePaused: false, sequence: 1, updatedAt: now, lastCheckedAt: now, nextCheckAt: now },
});

/** The gauges as the worker read them before: a count per state, then the paused accounts. */
async function countsPerState(models: Models): Promise<void> {
  await Promise.all(ACCOUNT_STATES.map((state) => models.Account.countDocuments({ 'status.state': state })));
  await models.Account.find({ 'status.queuePaused': true, disconnectedAt: { $exists: false } }, { _id: 1 }).lean();
}

async function timed(samples: number, operation: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await operation(i);
    times.push(performance.now() - started);
  }
  return times;
}

/** Runs `operation` while `background` runs in a loop; answers the operation's times and how long each background pass took. */
async function timedBeside(samples: number, background: () => Promise<unknown>, operation: (i: number) => Promise<unknown>): Promise<{ times: number[]; backgroundMs: number[] }> {
  let running = true;
  const backgroundMs: number[] = [];
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await background();
      backgroundMs.push(performance.now() - started);
    }
  })();
  await sleep(100);
  const times = await timed(samples, operation);
  running = false;
  await loop;
  return { times, backgroundMs };
}

export function runAccountsBench(argv: string[]): Promise<number> {
  const options = parseAccountsOptions(argv);
  return withBenchRun('accounts', 'stopping the database server', async (run) => {
    const { cleanup, logs, progress } = run;
    const scratch = mkdtempSync(path.join(tmpdir(), 'tether-bench-accounts-'));
    cleanup.add('scratch directory', () => rmSync(scratch, { recursive: true, force: true }));
    const server = await databaseServer();
    const database = await startDatabaseServer({ server, port: await freePort(), dataDir: path.join(scratch, 'db'), onLine: logs.sink('db').line });
    cleanup.add('database server', () => database.process.stop());
    const connection = await connectDatabase(`${database.uri}/tether_bench_accounts`);
    cleanup.add('database connection', () => connection.close());
    const models = createModels(connection);
    await Promise.all(Object.values(models).map((model) => model.syncIndexes()));
    progress(`${server.kind} ${database.uri}`);

    const results: SizeResult[] = [];
    let stored = 0;
    let storedTargets = 0;
    for (const size of options.sizes) {
      const now = new Date();
      while (stored < size) {
        const batch = Array.from({ length: Math.min(1000, size - stored) }, (_, k) => storedAccount(stored + k, now));
        await models.Account.collection.insertMany(batch as never[]);
        stored += batch.length;
      }
      await storeTargets(models, { from: storedTargets, to: size, cancels: 6 * options.samples, size });
      storedTargets = Math.max(size, storedTargets + 6 * options.samples);
      // FerretDB's _id path index reaches new collections within a couple of seconds (tools/ferretdb/idindex.go).
      await sleep(3000);
      progress(`${size} accounts stored: measuring`);
      const reconnectIds = (await models.Account.find({ externalId: { $in: Array.from({ length: options.samples }, (_, i) => `stored-${i}`) } }, { _id: 1, penNameId: 1, externalId: 1 }).lean());
      let fresh = 0;
      const connect = () => upsertConnectedAccount(models, { ownerId: OWNER, penNameId: 'pen-new', platform: 'x', identity: { externalId: `new-${size}-${fresh++}`, handle: 'new', displayName: 'New' } });
      const reconnect = (i: number) => {
        const account = reconnectIds[i % reconnectIds.length]!;
        return models.Account.findOneAndUpdate({ _id: account._id }, { $set: { connectedAt: new Date() }, $unset: { disconnectedAt: '' } }, { returnDocument: 'after' }).lean();
      };
      const read = (i: number) => models.Account.findById(reconnectIds[i % reconnectIds.length]!._id).lean();
      const threeOf = (i: number) => [0, 1, 2].map((k) => reconnectIds[(i + k) % reconnectIds.length]!._id);
      const postAccounts = (i: number) => accountsByIds(models, OWNER, threeOf(i));
      const postAccountsByIn = (i: number) => models.Account.find({ _id: { $in: threeOf(i) }, ownerId: OWNER }).lean();
      const cancel = cancels(models, size, options.samples);
      const gaugeTimes = await timed(3, () => readAccountCounts(models));
      const perStateTimes = await timed(3, () => countsPerState(models));
      const besideGauges = await timedBeside(options.samples, () => readAccountCounts(models), connect);
      const besidePerState = await timedBeside(options.samples, () => countsPerState(models), connect);
      results.push({
        accounts: size,
        connectMs: summarize(await timed(options.samples, connect)),
        reconnectMs: summarize(await timed(options.samples, reconnect)),
        pointReadMs: summarize(await timed(options.samples, read)),
        postAccountsMs: summarize(await timed(options.samples, postAccounts)),
        postAccountsByInMs: summarize(await timed(options.samples, postAccountsByIn)),
        cancelThreeMs: summarize(await timed(options.samples, cancel.now)),
        cancelThreeByInMs: summarize(await timed(options.samples, cancel.before)),
        gaugesMs: summarize(gaugeTimes),
        countsPerStateMs: summarize(perStateTimes),
        connectBesideGaugesMs: summarize(besideGauges.times),
        connectBesideCountsPerStateMs: summarize(besidePerState.times),
      });
      stored += fresh;
    }
    return buildReport({ options, databaseKind: server.kind, results, runtimeSec: runtimeSec(run), load: loadAverage(run) });
  });
}
