import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/index.js';
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

  const appWith = (changes: { env?: Config['env']; diagnosticsToken?: string; readiness?: Parameters<typeof createApp>[0]['readiness'] }) =>
    createApp({
      config: { ...config, env: changes.env ?? config.env, security: { ...config.security, diagnosticsToken: changes.diagnosticsToken } },
      models: db.models,
      temporal: temporal.client,
      logger: createLogger(config.log, 'web'),
      readiness: changes.readiness ?? {},
    });

  it('runs a workflow whose activity writes a record, readable over HTTP, saying nothing about the hosts', async () => {
    const created = await request(app).post('/diagnostics/roundtrip').expect(201);
    expect(created.body).toEqual({ checkId: expect.any(String), workflowId: `diagnostic:${created.body.checkId}`, status: 'ok' });
    const read = await request(app).get(`/diagnostics/roundtrip/${created.body.checkId}`).expect(200);
    expect(read.body.workflowId).toBe(`diagnostic:${created.body.checkId}`);
    expect(new Date(read.body.writtenAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    // The worker that wrote it (worker@host:pid) stays in the database, out of the answers.
    expect((await db.models.Diagnostic.findOne({ checkId: created.body.checkId }).lean())?.writtenBy).toBe('test-worker');
    for (const answer of [created.text, read.text]) {
      expect(answer).not.toContain('test-worker');
      expect(answer).not.toContain(hostname());
      expect(answer).not.toContain(String(process.pid));
    }
  });

  it('lets records expire: an old one is not served and is deleted by the next check', async () => {
    const old = randomUUID();
    await db.models.Diagnostic.create({ checkId: old, workflowId: `diagnostic:${old}`, writtenBy: 'test-worker', writtenAt: new Date(Date.now() - 2 * 3600_000) });
    await request(app).get(`/diagnostics/roundtrip/${old}`).expect(404);
    await request(app).post('/diagnostics/roundtrip').expect(201);
    expect(await db.models.Diagnostic.countDocuments({ checkId: old })).toBe(0);
  });

  it('needs the operator token when one is configured, and is off in production without one', async () => {
    const token = 'operator-token-'.padEnd(40, 'x');
    const guarded = appWith({ diagnosticsToken: token });
    for (const attempt of [request(guarded).post('/diagnostics/roundtrip'), request(guarded).post('/diagnostics/roundtrip').set('Authorization', `Bearer ${token}x`)]) {
      const refused = await attempt.expect(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer');
      expect(refused.body.error).toMatch(/operator token/);
    }
    const created = await request(guarded).post('/diagnostics/roundtrip').set('Authorization', `Bearer ${token}`).expect(201);
    await request(guarded).get(`/diagnostics/roundtrip/${created.body.checkId}`).expect(401);
    await request(guarded).get(`/diagnostics/roundtrip/${created.body.checkId}`).set('Authorization', `Bearer ${token}`).expect(200);

    const production = appWith({ env: 'production' });
    const before = await db.models.Diagnostic.countDocuments();
    await request(production).post('/diagnostics/roundtrip').set('X-Forwarded-Proto', 'https').expect(404);
    await request(production).get(`/diagnostics/roundtrip/${created.body.checkId}`).set('X-Forwarded-Proto', 'https').expect(404);
    expect(await db.models.Diagnostic.countDocuments()).toBe(before);
    await request(appWith({ env: 'production', diagnosticsToken: token })).post('/diagnostics/roundtrip').set('Authorization', `Bearer ${token}`).expect(201);
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

  it('reports 503 naming the part that does not answer, and nothing of its host, port or error', async () => {
    const broken = appWith({
      readiness: {
        database: () => databasePing(db.connection),
        temporal: () => Promise.reject(new Error('14 UNAVAILABLE: connect ECONNREFUSED 10.1.2.3:7233')),
      },
    });
    const response = await request(broken).get('/readyz').expect(503);
    expect(response.body).toEqual({ status: 'unavailable', failing: ['temporal'], checks: { database: 'ok', temporal: 'unavailable' } });
    expect(response.text).not.toMatch(/10\.1\.2\.3|7233|ECONNREFUSED|UNAVAILABLE:/);
  });
});
