import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../config/logger.js';
import { databasePing } from '../../db/connection.js';
import { createApp } from '../../web/app.js';
import { openDatabase, startWorker, temporalClient, testConfig, type RunningWorker, type TestDatabase } from '../helpers/integration.js';
import { lifecycleActivitiesFor } from '../helpers/lifecycle.js';

// The whole real path in one request: HTTP -> web -> Temporal -> worker -> activity -> MongoDB,
// then read back over HTTP.

describe('smoke: web -> workflow -> activity -> database -> web', () => {
  const config = testConfig();
  let db: TestDatabase;
  let worker: RunningWorker;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    db = await openDatabase(config);
    temporal = await temporalClient(config);
    worker = await startWorker(config, lifecycleActivitiesFor(config, db, 'http://127.0.0.1:9'));
    app = createApp({
      config,
      models: db.models,
      temporal: temporal.client,
      logger: createLogger(config.log, 'web'),
      readiness: {
        database: () => databasePing(db.connection),
        temporal: async () => {
          await temporal.client.connection.workflowService.getSystemInfo({});
        },
      },
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await temporal?.close();
    await db?.close();
  });

  it('runs a workflow whose activity writes a record, readable over HTTP', async () => {
    const created = await request(app).post('/diagnostics/roundtrip').expect(201);
    expect(created.body.writtenBy).toBe('test-worker');
    const read = await request(app).get(`/diagnostics/roundtrip/${created.body.checkId}`).expect(200);
    expect(read.body.workflowId).toBe(`diagnostic:${created.body.checkId}`);
    expect(read.body.writtenBy).toBe('test-worker');
    expect(new Date(read.body.writtenAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('runs one check at a time and asks a second caller to come back', async () => {
    const [first, second] = await Promise.all([request(app).post('/diagnostics/roundtrip'), request(app).post('/diagnostics/roundtrip')]);
    const refused = [first, second].find((response) => response.status === 429);
    expect([first.status, second.status].sort()).toEqual([201, 429]);
    expect(refused?.headers['retry-after']).toBe('5');
    expect(refused?.body.error).toMatch(/already running/);
    // Once it finished, the next check runs.
    await request(app).post('/diagnostics/roundtrip').expect(201);
  });

  it('answers a malformed id with 400 naming the field and an unknown id with 404', async () => {
    const bad = await request(app).get('/diagnostics/roundtrip/not-a-uuid').expect(400);
    expect(bad.body.field).toBe('checkId');
    await request(app).get('/diagnostics/roundtrip/5b0c3c1e-8f7e-4a51-9d59-0c5f3a0c2f11').expect(404);
  });

  it('reports ready when the database and Temporal answer', async () => {
    const ready = await request(app).get('/readyz').expect(200);
    expect(ready.body.failing).toEqual([]);
    await request(app).get('/healthz').expect(200);
  });

  it('reports 503 naming the part that does not answer', async () => {
    const broken = createApp({
      config,
      models: db.models,
      temporal: temporal.client,
      logger: createLogger(config.log, 'web'),
      readiness: {
        database: () => databasePing(db.connection),
        temporal: () => Promise.reject(new Error('connection refused')),
      },
    });
    const response = await request(broken).get('/readyz').expect(503);
    expect(response.body.failing).toEqual(['temporal']);
    expect(response.body.checks.temporal).toMatch(/connection refused/);
  });
});
