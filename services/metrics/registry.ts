import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ACCOUNT_STATES } from '../../db/models/account.js';

// What Tether reports to Prometheus. Each process (web, worker) builds its own registry, served on
// its own listener (services/metrics/server.ts); the worker's Temporal SDK metrics come from the
// SDK's exporter on another port. deploy/prometheus and deploy/grafana use exactly these names (a
// deploy test checks them).

export const METRIC_NAMES = {
  renewals: 'tether_token_renewals_total',
  healthChecks: 'tether_health_checks_total',
  publishes: 'tether_publish_outcomes_total',
  notifications: 'tether_notification_deliveries_total',
  accounts: 'tether_accounts',
  pausedPosts: 'tether_paused_posts',
  oldestPausedPost: 'tether_paused_post_oldest_due_seconds',
  countsRefreshed: 'tether_account_counts_refreshed_timestamp_seconds',
  httpDuration: 'tether_http_request_duration_seconds',
} as const;

/**
 * Temporal SDK worker metrics (the runtime's Prometheus exporter, `temporal_` prefix, seconds,
 * `_total` counters) the dashboard and alerts use: each is served once the worker has polled and
 * run a workflow task and an activity (test/integration/metrics.test.ts scrapes them).
 */
export const TEMPORAL_SDK_METRIC_NAMES = [
  'temporal_workflow_task_schedule_to_start_latency_seconds_bucket',
  'temporal_activity_schedule_to_start_latency_seconds_bucket',
  'temporal_worker_task_slots_available',
  'temporal_sticky_cache_size',
  'temporal_num_pollers',
] as const;

/** How a lifecycle activity's platform call ended: the adapter's classification. */
export type PlatformOutcome = 'ok' | 'transient' | 'rateLimited' | 'reauthRequired' | 'invalid';
export type PublishOutcome = 'published' | 'rateLimited' | 'rejected' | 'reauthRequired' | 'transient';
export type DeliveryOutcome = 'sent' | 'skipped' | 'failed';

/** What activities record; a no-op where nothing is collected (tests, tools). */
export interface ActivityMetrics {
  renewal(platform: string, outcome: PlatformOutcome): void;
  healthCheck(platform: string, outcome: PlatformOutcome): void;
  publish(platform: string, outcome: PublishOutcome): void;
  notification(channel: 'email' | 'webhook', outcome: DeliveryOutcome): void;
}

export const NO_ACTIVITY_METRICS: ActivityMetrics = { renewal() {}, healthCheck() {}, publish() {}, notification() {} };

function processRegistry(process: 'web' | 'worker'): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process });
  // Memory, CPU, event-loop lag, GC, open handles of this Node process.
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function createWorkerMetrics() {
  const registry = processRegistry('worker');
  const registers = [registry];
  const renewals = new Counter({ name: METRIC_NAMES.renewals, help: 'Token renewals that called a platform, by platform and outcome', labelNames: ['platform', 'outcome'] as const, registers });
  const healthChecks = new Counter({ name: METRIC_NAMES.healthChecks, help: 'Periodic credential checks with a platform, by platform and outcome', labelNames: ['platform', 'outcome'] as const, registers });
  const publishes = new Counter({ name: METRIC_NAMES.publishes, help: 'Publish attempts of a post to an account, by platform and outcome', labelNames: ['platform', 'outcome'] as const, registers });
  const notifications = new Counter({ name: METRIC_NAMES.notifications, help: 'Notification deliveries, by channel and outcome', labelNames: ['channel', 'outcome'] as const, registers });
  const accounts = new Gauge({ name: METRIC_NAMES.accounts, help: 'Connected accounts by lifecycle state (counted periodically)', labelNames: ['state'] as const, registers });
  const pausedPosts = new Gauge({ name: METRIC_NAMES.pausedPosts, help: 'Scheduled posts waiting on an expired account (queue paused)', registers });
  const oldestPausedPost = new Gauge({ name: METRIC_NAMES.oldestPausedPost, help: 'How long the longest-waiting paused post is past its due time, in seconds (0 when none)', registers });
  const countsRefreshed = new Gauge({ name: METRIC_NAMES.countsRefreshed, help: 'When the account and paused-post counts were last read from the database', registers });
  for (const state of ACCOUNT_STATES) accounts.set({ state }, 0);

  const activities: ActivityMetrics = {
    renewal: (platform, outcome) => renewals.inc({ platform, outcome }),
    healthCheck: (platform, outcome) => healthChecks.inc({ platform, outcome }),
    publish: (platform, outcome) => publishes.inc({ platform, outcome }),
    notification: (channel, outcome) => notifications.inc({ channel, outcome }),
  };
  return { registry, activities, gauges: { accounts, pausedPosts, oldestPausedPost, countsRefreshed } };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

export function createWebMetrics() {
  const registry = processRegistry('web');
  const httpDuration = new Histogram({
    name: METRIC_NAMES.httpDuration,
    help: 'Dashboard request latency by route (the matched pattern, never the raw path), method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return { registry, httpDuration };
}

export type WebMetrics = ReturnType<typeof createWebMetrics>;
