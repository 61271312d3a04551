import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Registry } from 'prom-client';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createWebMetrics, createWorkerMetrics, TEMPORAL_SDK_METRIC_NAMES } from '../../../services/metrics/registry.js';
import { readCompose, readRepoFile, repoFile } from './deploy-files.js';

// Prometheus, its alert rules and the Grafana dashboard in docker-compose.yml, checked as files
// (no Docker engine here): they parse, they scrape the ports the apps listen on, and every metric
// and label they use is one the code registers (the SDK's are scraped from a real worker by
// test/integration/metrics.test.ts).

interface ScrapeJob {
  job_name: string;
  dns_sd_configs: { names: string[]; type: string; port: number }[];
}
interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const compose = readCompose('docker-compose.yml');
const prometheus = parse(readRepoFile('deploy/prometheus/prometheus.yml')) as { rule_files: string[]; scrape_configs: ScrapeJob[] };
const alerts = (parse(readRepoFile('deploy/prometheus/alerts.yml')) as { groups: { rules: AlertRule[] }[] }).groups.flatMap((group) => group.rules);
const dashboard = JSON.parse(readRepoFile('deploy/grafana/dashboards/tether.json')) as { uid: string; panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[] };
const datasources = (parse(readRepoFile('deploy/grafana/provisioning/datasources/prometheus.yml')) as { datasources: { uid: string; url: string }[] }).datasources;
const providers = (parse(readRepoFile('deploy/grafana/provisioning/dashboards/tether.yml')) as { providers: { options: { path: string } }[] }).providers;
const appEnvironment = compose.services.web!.environment ?? {};

/** Host path mounted at `target` in a service, from its `./host:/target[:ro]` volumes. */
function hostPathOf(service: string, target: string): string | undefined {
  for (const volume of compose.services[service]?.volumes ?? []) {
    const [source = '', mounted = ''] = volume.split(':');
    if (source.startsWith('./') && (target === mounted || target.startsWith(`${mounted}/`))) return path.join(source, path.relative(mounted, target));
  }
  return undefined;
}

/** Every metric name a registry serves (histograms as _bucket/_sum/_count) with its label names. */
async function servedBy(registry: Registry): Promise<Map<string, Set<string>>> {
  const served = new Map<string, Set<string>>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const labels = new Set(['process', 'instance', 'job', ...metric.values.flatMap((value) => Object.keys(value.labels))]);
    const names = String(metric.type) === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => `${metric.name}${suffix}`) : [metric.name];
    for (const name of names) served.set(name, labels);
  }
  return served;
}

async function knownMetrics(): Promise<Map<string, Set<string>>> {
  const worker = createWorkerMetrics();
  worker.activities.renewal('x', 'ok');
  worker.activities.healthCheck('x', 'ok');
  worker.activities.publish('x', 'published');
  worker.activities.notification('email', 'sent');
  worker.gauges.pausedPosts.set(0);
  const web = createWebMetrics();
  web.httpDuration.observe({ method: 'GET', route: '/login', status: '200' }, 0.01);
  const known = new Map([...(await servedBy(worker.registry)), ...(await servedBy(web.registry))]);
  for (const name of TEMPORAL_SDK_METRIC_NAMES) known.set(name, new Set(['le', 'namespace', 'task_queue', 'worker_type', 'poller_type', 'instance', 'job']));
  known.set('up', new Set(['instance', 'job']));
  return known;
}

/** Metric selectors in a PromQL expression: names Tether, the SDK or Node report, with the label names they select on. */
function selectors(expr: string): { name: string; labels: string[] }[] {
  return [...expr.matchAll(/\b((?:tether|temporal|process|nodejs)_[a-z0-9_]+|up)\b(?!\s*\()(\{([^}]*)\})?/g)].map((match) => ({
    name: match[1]!,
    labels: [...(match[3] ?? '').matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g)].map((label) => label[1]!),
  }));
}

/** Labels an expression groups by (`by (a, b)`). */
const groupings = (expr: string) => [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((match) => match[1]!.split(',').map((label) => label.trim()).filter(Boolean));

const expressions = [
  ...alerts.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
  ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr }))),
];

describe('Prometheus and Grafana (docker-compose.yml)', () => {
  it('scrapes every web and worker replica on the metrics ports compose gives them', () => {
    const jobs = Object.fromEntries(prometheus.scrape_configs.map((job) => [job.job_name, job.dns_sd_configs[0]!]));
    expect(Object.keys(jobs).sort()).toEqual(['temporal-sdk', 'tether-web', 'tether-worker']);
    expect(jobs['tether-web']).toEqual({ names: ['web'], type: 'A', port: Number(appEnvironment.WEB_METRICS_PORT) });
    expect(jobs['tether-worker']).toEqual({ names: ['worker'], type: 'A', port: Number(appEnvironment.WORKER_METRICS_PORT) });
    expect(jobs['temporal-sdk']).toEqual({ names: ['worker'], type: 'A', port: Number(appEnvironment.TEMPORAL_METRICS_PORT) });
    expect(appEnvironment.METRICS_HOST).toBe('0.0.0.0');
    // Reached on the private network only.
    for (const name of ['web', 'worker']) expect(compose.services[name]!.ports).toBeUndefined();
  });

  it('loads the alert rules and the dashboard from files that exist where compose mounts them', () => {
    for (const file of prometheus.rule_files) {
      const host = hostPathOf('prometheus', file);
      expect(host, `${file} is not mounted into prometheus`).toBeDefined();
      expect(existsSync(repoFile(host!)), host).toBe(true);
    }
    const mountedDashboards = hostPathOf('grafana', providers[0]!.options.path);
    expect(mountedDashboards).toBe('deploy/grafana/dashboards');
    expect(hostPathOf('grafana', '/etc/grafana/provisioning/datasources/prometheus.yml')).toBe('deploy/grafana/provisioning/datasources/prometheus.yml');
    expect(datasources).toEqual([expect.objectContaining({ uid: 'prometheus', url: 'http://prometheus:9090' })]);
    expect(compose.services.grafana!.depends_on).toEqual({ prometheus: { condition: 'service_healthy' } });
    expect(readFileSync(repoFile('deploy/grafana/dashboards/tether.json'), 'utf8').endsWith('\n')).toBe(true);
  });

  it('alerts when renewal failures rise, expired accounts rise and a queue stays paused for long', () => {
    const names = alerts.map((rule) => rule.alert);
    for (const wanted of ['TetherRenewalFailuresRising', 'TetherExpiredAccountsRising', 'TetherQueuePausedForLong']) expect(names).toContain(wanted);
    for (const rule of alerts) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
    // Every alert is explained for operators.
    const readme = readRepoFile('README.md');
    for (const name of names) expect(readme, `README does not explain ${name}`).toContain(`\`${name}\``);
  });

  it('uses only metrics and labels the code registers, in every alert and dashboard panel', async () => {
    const known = await knownMetrics();
    const jobs = prometheus.scrape_configs.map((job) => job.job_name);
    for (const { where, expr } of expressions) {
      const used = selectors(expr);
      expect(used.length, `${where} uses no metric`).toBeGreaterThan(0);
      for (const { name, labels } of used) {
        expect(known.has(name), `${where}: ${name} is not a metric Tether or the Temporal SDK serves`).toBe(true);
        for (const label of labels) expect(known.get(name)!.has(label), `${where}: ${name} has no label ${label}`).toBe(true);
        if (name === 'up') for (const job of [...expr.matchAll(/job="([^"]+)"/g)].map((m) => m[1]!)) expect(jobs).toContain(job);
      }
      for (const label of groupings(expr)) {
        expect(used.some(({ name }) => known.get(name)!.has(label)), `${where}: no metric of it has the label ${label}`).toBe(true);
      }
    }
  });

  it('gives every dashboard panel the provisioned data source', () => {
    expect(dashboard.uid).toBe('tether-overview');
    expect(dashboard.panels.length).toBeGreaterThan(5);
    for (const panel of dashboard.panels) expect(panel.datasource.uid, panel.title).toBe(datasources[0]!.uid);
  });
});
