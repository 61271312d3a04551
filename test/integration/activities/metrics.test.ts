import { describe, expect, it } from 'vitest';
import { publishingActivities } from '../../../activities/publishing/index.js';
import { createPost } from '../../../db/posts.js';
import { createMailer } from '../../../services/mailer.js';
import { createWorkerMetrics, METRIC_NAMES, type WorkerMetrics } from '../../../services/metrics/registry.js';
import { startMailCatcher } from '../../../tools/mail-catcher.js';
import { connectOAuth, inActivity, useActivityWorld } from './support.js';

// What operators see on /metrics comes from the activities themselves: each renewal, health check,
// publish and notification delivery is counted by platform (or channel) and outcome.

const world = useActivityWorld();

/** A fresh X identity in the sandbox, connected as the connect flow does. */
async function connectNewX(handle: string) {
  const identity = await world.control.createIdentity({ platform: 'x', handle });
  return connectOAuth(world, 'x', identity.id);
}

async function count(metrics: WorkerMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const sample = metric?.values.find((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted));
  return sample?.value ?? 0;
}

describe('activity metrics', () => {
  it('counts renewals and health checks by platform and outcome', async () => {
    const metrics = createWorkerMetrics();
    const activities = world.activities({ metrics: metrics.activities });
    const connected = await connectNewX('m_metrics');
    await inActivity(activities.renewCredentials, { accountId: connected.accountId, knownVersion: connected.version });
    await world.control.failNext('x', connected.identity.externalId, 1, 503);
    await inActivity(activities.renewCredentials, { accountId: connected.accountId, knownVersion: connected.version + 1 });
    expect(await count(metrics, METRIC_NAMES.renewals, { platform: 'x', outcome: 'ok' })).toBe(1);
    expect(await count(metrics, METRIC_NAMES.renewals, { platform: 'x', outcome: 'transient' })).toBe(1);

    await inActivity(activities.validateCredentials, connected.accountId);
    await world.control.revoke('x', connected.identity.externalId);
    await inActivity(activities.validateCredentials, connected.accountId);
    expect(await count(metrics, METRIC_NAMES.healthChecks, { platform: 'x', outcome: 'ok' })).toBe(1);
    expect(await count(metrics, METRIC_NAMES.healthChecks, { platform: 'x', outcome: 'reauthRequired' })).toBe(1);
  });

  it('counts publish outcomes by platform', async () => {
    const metrics = createWorkerMetrics();
    const connected = await connectNewX('m_publisher');
    const publishing = publishingActivities({ models: world.db.models, adapters: world.adapters, config: world.config, workerIdentity: 'test-worker', metrics: metrics.activities });
    const now = new Date();
    const post = await createPost(
      world.db.models,
      { ownerId: world.ownerId, penNameId: world.penNameId, kind: 'scheduled', text: 'Counted post', timeZone: 'UTC', publishAt: now, targets: [{ accountId: connected.accountId, platform: 'x', handle: 'p' }] },
      now,
    );
    const result = await inActivity(publishing.publishPost, { postId: post._id, accountId: connected.accountId });
    expect(result.outcome).toBe('published');
    expect(await count(metrics, METRIC_NAMES.publishes, { platform: 'x', outcome: 'published' })).toBe(1);
  });

  it('counts notification deliveries by channel and outcome', async () => {
    const catcher = await startMailCatcher();
    try {
      const metrics = createWorkerMetrics();
      const connected = await connectNewX('m_notified');
      const sending = world.activities({ metrics: metrics.activities, mailer: createMailer({ smtpUrl: catcher.url, from: 'x' }) });
      await inActivity(sending.notify, { accountId: connected.accountId, kind: 'expired', dedupeKey: `${connected.accountId}:m1` });
      expect(await count(metrics, METRIC_NAMES.notifications, { channel: 'email', outcome: 'sent' })).toBe(1);
      const failing = world.activities({ metrics: metrics.activities, mailer: createMailer({ smtpUrl: 'smtp://127.0.0.1:9', from: 'x' }) });
      await expect(inActivity(failing.notify, { accountId: connected.accountId, kind: 'expired', dedupeKey: `${connected.accountId}:m2` })).rejects.toThrow(/not fully delivered/);
      expect(await count(metrics, METRIC_NAMES.notifications, { channel: 'email', outcome: 'failed' })).toBe(1);
    } finally {
      await catcher.close();
    }
  });
});
