import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../config/index.js';
import { countCommands, type CommandCount, type CommandCounter } from '../../db/command-counter.js';
import { connectDatabase } from '../../db/connection.js';
import { createModels, ensureIndexes } from '../../db/models/index.js';
import { accountWorkflowId } from '../../workflows/account/messages.js';
import { openDatabase, startWorker, temporalClient, testConfig, type RunningWorker, type TestDatabase } from './integration.js';
import { createOwner, lifecycleActivitiesFor, openSandbox, type Owner, type Sandbox } from './lifecycle.js';

// Counting the database round trips of an action: web-side calls and the worker's activities share
// one connection opened with command monitoring, and the test watches through another, so its own
// reads are not counted.

export interface CountingWorld {
  config: Config;
  /** The monitored database: give it to the code under measurement. */
  measured: TestDatabase;
  /** An unmonitored connection to the same database, for the test's own reads. */
  observer: TestDatabase;
  counter: CommandCounter;
  sandbox: Sandbox;
  client: Client;
  owner: Owner;
  /** Counts what runs from `action` until the account's workflow is idle again (no pending task or activity, no new command). */
  measure(accountId: () => string | undefined, action: () => Promise<unknown>): Promise<CommandCount>;
}

export function useCountingWorld(): CountingWorld {
  const world = { config: testConfig() } as CountingWorld;
  let worker: RunningWorker | undefined;
  let temporal: Awaited<ReturnType<typeof temporalClient>> | undefined;
  beforeAll(async () => {
    world.observer = await openDatabase(world.config);
    const connection = await connectDatabase(world.config.mongo.uri, { monitorCommands: true });
    world.measured = { connection, models: createModels(connection), close: () => connection.close() };
    await ensureIndexes(world.measured.models);
    world.counter = countCommands(connection);
    world.sandbox = await openSandbox();
    temporal = await temporalClient(world.config);
    world.client = temporal.client;
    worker = await startWorker(world.config, lifecycleActivitiesFor(world.config, world.measured, world.sandbox.url));
    world.owner = await createOwner(world.observer);
    world.measure = async (accountId, action) => {
      world.counter.reset();
      await action();
      await idle(world.client, accountId(), world.counter);
      return world.counter.count();
    };
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await temporal?.close();
    await world.sandbox?.close();
    world.counter?.stop();
    await world.measured?.close();
    await world.observer?.close();
  });
  return world;
}

async function idle(client: Client, accountId: string | undefined, counter: CommandCounter): Promise<void> {
  let last = -1;
  for (let round = 0; round < 120; round++) {
    const described = accountId ? (await client.workflow.getHandle(accountWorkflowId(accountId)).describe()).raw : undefined;
    const busy = Boolean(described?.pendingWorkflowTask) || (described?.pendingActivities?.length ?? 0) > 0;
    const total = counter.count().total;
    if (!busy && total === last) return;
    last = total;
    await sleep(500);
  }
  throw new Error('the workflow did not become idle');
}
