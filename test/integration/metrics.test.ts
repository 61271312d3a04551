import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIndexes } from '../../db/models/index.js';
import { TEMPORAL_SDK_METRIC_NAMES } from '../../services/metrics/registry.js';
import { freePort } from '../../tools/process.js';
import { openDatabase, temporalClient, testConfig, type TestDatabase } from '../helpers/integration.js';
import { waitFor } from '../helpers/lifecycle.js';
import { removeWorkerLeftovers, spawnWorkerProcess, testWorkerEnvironment, waitUntilPolling, type WorkerProcess } from '../helpers/worker-process.js';

// The production worker process serves two Prometheus endpoints on ports of their own: Tether's
// metrics (accounts by state, paused posts, outcomes) and the Temporal SDK's worker metrics.

/** `name{labels} value` lines of a Prometheus text answer, as name -> [labels, value]. */
function samples(text: string): Map<string, { labels: string; value: number }[]> {
  const found = new Map<string, { labels: string; value: number }[]>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const list = found.get(match[1]!) ?? [];
    list.push({ labels: match[2] ?? '', value: Number(match[3]) });
    found.set(match[1]!, list);
  }
  return found;
}

describe('metrics: the worker process', () => {
  const config = testConfig();
  let db: TestDatabase;
  let worker: WorkerProcess;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  const ports = { tether: 0, sdk: 0 };

  beforeAll(async () => {
    db = await openDatabase(config);
    await ensureIndexes(db.models);
    temporal = await temporalClient(config);
    const owner = { ownerId: randomUUID(), penNameId: randomUUID() };
    const now = new Date();
    const account = (state: 'active' | 'expiring' | 'expired', queuePaused = false) => ({
      _id: randomUUID(),
      ...owner,
      platform: 'x' as const,
      externalId: randomUUID(),
      handle: 'h',
      displayName: 'H',
      meta: {},
      connectedAt: now,
      status: { state, queuePaused, sequence: 1, updatedAt: now },
    });
    const expired = account('expired', true);
    await db.models.Account.create([account('active'), account('active'), account('expiring'), expired]);
    // Two posts waiting on the expired account, the older one due three hours ago.
    for (const hoursAgo of [3, 1]) {
      const postId = randomUUID();
      await db.models.PostTarget.create({ _id: `${postId}:${expired._id}`, postId, accountId: expired._id, ...owner, platform: 'x', handle: 'h', state: 'scheduled', dueAt: new Date(Date.now() - hoursAgo * 3600_000), attempts: 0, updatedAt: now });
    }
    ports.tether = await freePort();
    ports.sdk = await freePort();
    worker = spawnWorkerProcess({
      ...testWorkerEnvironment(config, { sandboxUrl: 'http://127.0.0.1:9', encryptionKey: randomBytes(32).toString('base64') }),
      WORKER_METRICS_PORT: String(ports.tether),
      TEMPORAL_METRICS_PORT: String(ports.sdk),
    });
    await waitUntilPolling(worker, { address: config.temporal.address, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue });
  }, 180_000);
  afterAll(async () => {
    await worker?.kill();
    if (temporal) await removeWorkerLeftovers(temporal.client, config.temporal.taskQueue, []);
    await temporal?.close();
    await db?.close();
  });

  const scrape = async (port: number) => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    return { contentType: response.headers.get('content-type') ?? '', text: await response.text() };
  };

  it('counts accounts by state and the posts their paused queues hold, without a query per scrape', async () => {
    const { contentType, text } = await waitFor(
      'the account counts',
      async () => {
        const scraped = await scrape(ports.tether);
        return /tether_paused_posts\{[^}]*\} 2\b/.test(scraped.text) ? scraped : undefined;
      },
      30_000,
    );
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const found = samples(text);
    const byState = Object.fromEntries((found.get('tether_accounts') ?? []).map((s) => [/state="(\w+)"/.exec(s.labels)?.[1], s.value]));
    expect(byState).toEqual({ active: 2, expiring: 1, expired: 1, disconnected: 0 });
    const oldest = found.get('tether_paused_post_oldest_due_seconds')?.[0]?.value ?? 0;
    expect(oldest).toBeGreaterThan(3 * 3600 - 120);
    expect(oldest).toBeLessThan(3 * 3600 + 600);
    for (const name of ['tether_token_renewals_total', 'tether_health_checks_total', 'tether_publish_outcomes_total', 'tether_notification_deliveries_total']) {
      expect(text).toContain(`# TYPE ${name} counter`);
    }
    expect(found.get('process_resident_memory_bytes')?.[0]?.labels).toContain('process="worker"');
    // Reading them again does not query again: the counts refresh on an interval.
    const refreshed = found.get('tether_account_counts_refreshed_timestamp_seconds')?.[0]?.value;
    expect(samples((await scrape(ports.tether)).text).get('tether_account_counts_refreshed_timestamp_seconds')?.[0]?.value).toBe(refreshed);
    expect((await fetch(`http://127.0.0.1:${ports.tether}/other`)).status).toBe(404);
  });

  it('serves the Temporal SDK worker metrics the dashboard and alerts use on their own port', { timeout: 90_000 }, async () => {
    const text = await waitFor(
      'the SDK metrics',
      async () => {
        const scraped = (await scrape(ports.sdk)).text;
        return TEMPORAL_SDK_METRIC_NAMES.every((name) => scraped.includes(name)) ? scraped : undefined;
      },
      45_000,
    ).catch(async (error: unknown) => {
      const scraped = (await scrape(ports.sdk)).text;
      const names = [...samples(scraped).keys()].filter((name) => name.startsWith('temporal_'));
      throw new Error(`${(error as Error).message}; missing ${TEMPORAL_SDK_METRIC_NAMES.filter((n) => !scraped.includes(n)).join(', ')}; served: ${names.join(', ')}`);
    });
    expect(text).toContain(`task_queue="${config.temporal.taskQueue}"`);
  });
});
