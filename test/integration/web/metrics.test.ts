import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebMetrics, METRIC_NAMES } from '../../../services/metrics/registry.js';
import { startMetricsServer, type MetricsServer } from '../../../services/metrics/server.js';
import { registerUser, startWeb, webApp, type WebHarness } from './support.js';

// The dashboard times every request by route pattern and serves the figures on a listener of its own.

describe('web: /metrics', () => {
  let web: WebHarness;
  let server: MetricsServer;
  const metrics = createWebMetrics();

  beforeAll(async () => {
    web = await startWeb();
    web.app = webApp(web.config, web.db, { metrics });
    server = await startMetricsServer(metrics.registry, '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server?.close();
    await web?.close();
  });

  it('records latency by route pattern, method and status, never by raw path', async () => {
    const user = await registerUser(web);
    const postId = randomUUID();
    await user.agent.get(`/posts/${postId}`).expect(404);
    await request(web.app).get('/static/tether.css').expect(200);
    await request(web.app).get(`/no/such/${postId}`).expect(404);
    await request(web.app).get('/healthz').expect(200);

    const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    const routes = [...text.matchAll(new RegExp(`^${METRIC_NAMES.httpDuration}_count\\{([^}]*)\\}`, 'gm'))].map((m) => m[1]!);
    const labelled = (route: string, method: string, status: number) => routes.some((labels) => labels.includes(`route="${route}"`) && labels.includes(`method="${method}"`) && labels.includes(`status="${status}"`));
    expect(labelled('/posts/:id', 'GET', 404)).toBe(true);
    expect(labelled('/register', 'POST', 303)).toBe(true);
    expect(labelled('/login', 'POST', 303)).toBe(true);
    expect(labelled('/static', 'GET', 200)).toBe(true);
    expect(labelled('unmatched', 'GET', 404)).toBe(true);
    expect(labelled('/healthz', 'GET', 200)).toBe(true);
    expect(text).not.toContain(postId);
    expect(text).toContain('process="web"');
    expect(text).toMatch(/^process_resident_memory_bytes\{process="web"\} \d+/m);
  });

  it('names the variable when its port is taken', async () => {
    await expect(startMetricsServer(metrics.registry, '127.0.0.1', server.port, 'WEB_METRICS_PORT')).rejects.toThrow(
      `Port ${server.port} is already in use; set WEB_METRICS_PORT to a free port (0 turns /metrics off).`,
    );
  });
});
