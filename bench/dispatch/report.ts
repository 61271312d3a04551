import { formatValue } from '../shared/report.js';
import type { DispatchOptions } from './options.js';

// The dispatch benchmark's JSON and markdown table.

export interface DispatchTrial {
  mode: string;
  partitions: string;
  activities: number;
  perSecond: number;
  shareOfLimit: number;
  firstSecond: number;
  busiestSecond: number;
  /** Starts a platform allowing `rate` per fixed one-second window (opened by the first request after the last one closed, like the sandbox's) would refuse. */
  refusedByFixedWindow: number;
}

export interface DispatchMeasurements {
  options: DispatchOptions;
  environment: { cpus: number; node: string; temporal: string; loadAverage: { start: number; end: number } };
  trials: DispatchTrial[];
  runtimeSec: number;
}

export function buildReport(m: DispatchMeasurements): { json: unknown; markdown: string; problems: string[] } {
  const { options } = m;
  const lines = [
    `## Dispatch benchmark — ${options.activities} activities queued at once, limit ${options.rate}/s`,
    '',
    `${m.environment.cpus} CPUs, Node ${m.environment.node}, ${m.environment.temporal}; whole run ${m.runtimeSec.toFixed(0)} s; ` +
      `1-minute load average ${m.environment.loadAverage.start.toFixed(2)} at the start, ${m.environment.loadAverage.end.toFixed(2)} at the end.`,
    '',
    `| Task-queue partitions | Limit | Started per second (share of ${options.rate}/s) | In the first second | In the busiest sliding second | Refused by a ${options.rate}-per-second fixed window |`,
    '|---|---|---:|---:|---:|---:|',
    ...m.trials.map(
      (t) => `| ${t.partitions} | ${t.mode} | ${formatValue(t.perSecond)} (${formatValue(100 * t.shareOfLimit)} %) | ${t.firstSecond} | ${t.busiestSecond} | ${t.refusedByFixedWindow} of ${t.activities} |`,
    ),
    '',
    'The task-queue limit is a token bucket per partition, each with 1/P of the rate and a burst of at least one second of it: after an idle spell the queue hands out a burst and then the rate, so a sliding second can see up to twice the limit. With P partitions each partition drains its own share of the tasks, so the total falls below the limit as soon as one partition runs empty.',
  ];
  return { json: { ...m, generatedAt: new Date().toISOString() }, markdown: lines.join('\n'), problems: [] };
}
