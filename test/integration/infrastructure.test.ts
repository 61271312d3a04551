import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';

const { IndexedValueType } = temporal.api.enums.v1;

// Proves the servers the suite runs against are the real ones, not stand-ins.

describe('Temporal dev server', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
  });
  afterAll(() => connection.close());

  it('is a real Temporal server with a version and capabilities', async () => {
    const info = await connection.workflowService.getSystemInfo({});
    expect(info.serverVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.capabilities?.upsertMemo).toBe(true);
  });

  it("has Tether's custom search attributes registered with their types", async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    const registered = customAttributes ?? {};
    for (const key of ALL_SEARCH_ATTRIBUTES) {
      expect(registered, key.name).toHaveProperty(key.name);
    }
    expect(registered.TetherStatus).toBe(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    expect(registered.TetherTokenExpiresAt).toBe(IndexedValueType.INDEXED_VALUE_TYPE_DATETIME);
    expect(registered.TetherGrantExpiresAt).toBe(IndexedValueType.INDEXED_VALUE_TYPE_DATETIME);
  });

  it('serves Temporal UI on its UI port', async () => {
    const page = await fetch(inject('temporalUiUrl'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/_app/immutable/');
    const settings = (await (await fetch(`${inject('temporalUiUrl')}/api/v1/settings`)).json()) as { Version: string };
    expect(settings.Version).toMatch(/^2\.\d+\.\d+/);
  });
});

describe('MongoDB-wire server', () => {
  it('stores and returns documents over the wire protocol', async () => {
    const client = new MongoClient(inject('mongoUri'));
    await client.connect();
    try {
      const build = await client.db('admin').command({ buildInfo: 1 });
      expect(build.version).toMatch(/^\d+\.\d+/);
      // FerretDB answers buildInfo with its own feature list; a real mongod has none.
      expect(Boolean(build.ferretdbFeatures)).toBe(inject('databaseKind') === 'ferretdb');
      const collection = client.db('infrastructure_check').collection('probe');
      await collection.insertOne({ probe: 'written', n: 7 });
      const read = await collection.findOneAndUpdate({ probe: 'written' }, { $inc: { n: 1 } }, { returnDocument: 'after' });
      expect(read?.n).toBe(8);
      await client.db('infrastructure_check').dropDatabase();
    } finally {
      await client.close();
    }
  });
});

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('timeSkippingServerPath') } },
    });
  });
  afterAll(() => env?.teardown());

  it('sleeps a workflow for 30 simulated days in seconds', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'time-skipping',
      workflowsPath: new URL('../workflows/sleeper.ts', import.meta.url).pathname,
    });
    const started = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute('sleepForDays', { args: [30], workflowId: 'sleeper', taskQueue: 'time-skipping' }),
    );
    const thirtyDaysMs = 30 * 24 * 3600 * 1000;
    expect(result.sleptMs).toBeGreaterThanOrEqual(thirtyDaysMs);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
