import { formatValue } from '../shared/report.js';
import type { PlatformCost } from './measure.js';
import type { CostOptions } from './options.js';

// The cost benchmark's JSON and markdown: per platform policy and variant, what one account costs
// per day (Temporal events, actions, platform calls, database commands) and per month (actions).

export interface CostMeasurements {
  options: CostOptions;
  environment: { cpus: number; node: string; database: string; temporal: string; loadAverage: { start: number; end: number } };
  results: PlatformCost[];
  runtimeSec: number;
}

const POLICY_WORDS: Record<string, string> = {
  rotatingRefresh: 'rotating refresh',
  refresh: 'refresh',
  exchange: 'exchange',
  validate: 'validate',
  none: 'none',
};

export function problemsOf(m: CostMeasurements): string[] {
  return m.results.flatMap((r) => (r.posts && r.posts.notPublished > 0 ? [`${r.platform}: ${r.posts.notPublished} of ${r.posts.scheduled} daily posts were not published (${r.posts.reasons.join('; ')})`] : []));
}

function table(results: PlatformCost[]): string {
  const lines = [
    '| Platform (policy) | Actions / account-month | Actions / day | Events / day | Activities / day | Timers / day | Workflow tasks / day | Upserts / day | Updates / day | Runs (CAN) | Renewals / day | Platform calls / day | DB commands / day (worker + dashboard) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const d = r.perAccountDay;
    lines.push(
      `| ${r.platform} (${POLICY_WORDS[r.policy] ?? r.policy}) | ${formatValue(r.actionsPerAccountMonth)} | ${formatValue(d.actions)} | ${formatValue(d.events)} | ${formatValue(d.activities)} | ${formatValue(d.timers)} | ${formatValue(d.workflowTasks)} | ${formatValue(d.upserts)} | ${formatValue(d.updates)} | ${formatValue(r.runsPerAccount)} | ${formatValue(r.renewalsPerAccountDay)} | ${formatValue(r.platformCalls.perAccountDay)} | ${formatValue(r.databaseCommands.workerPerAccountDay)} + ${formatValue(r.databaseCommands.dashboardPerAccountDay)} |`,
    );
  }
  return lines.join('\n');
}

export function buildReport(m: CostMeasurements): { json: unknown; markdown: string; problems: string[] } {
  const { options } = m;
  const idle = m.results.filter((r) => r.variant === 'idle');
  const posts = m.results.filter((r) => r.variant === 'posts');
  const connect = idle[0]?.connect ?? posts[0]?.connect;
  const problems = problemsOf(m);
  const lines = [
    `## Cost benchmark — ${options.accountsPerPlatform} account(s) per platform, ${options.days} simulated days`,
    '',
    `${m.environment.cpus} CPUs, Node ${m.environment.node}, ${m.environment.temporal}, ${m.environment.database}; whole run ${m.runtimeSec.toFixed(0)} s (real); ` +
      `1-minute load average ${m.environment.loadAverage.start.toFixed(2)} at the start, ${m.environment.loadAverage.end.toFixed(2)} at the end. Figures per account-day unless named otherwise; the connect is not included.`,
  ];
  if (idle.length) lines.push('', '### Idle accounts', '', table(idle));
  if (posts.length) lines.push('', `### One post a day (due ${options.postHour}:00 each simulated day)`, '', table(posts));
  lines.push(
    '',
    'Billable actions (Temporal Cloud, https://docs.temporal.io/cloud/actions): each run started (the first start and every continue-as-new), activity scheduled or retried, ' +
      'timer started (`condition` with a timeout included), search-attribute upsert (not the SDK\'s `TemporalChangeVersion` upsert beside a patch marker, nor attributes given at the start), signal, accepted update (update-with-start included) and workflow task with local activities. ' +
      'Not billed: workflow tasks themselves, activity/timer completions, `setCurrentDetails`. Queries and heartbeats would count but leave no event (none here). ' +
      'Per account-month = per account-day × 30. Fixed costs per deployment are not in these figures: the self-healing Schedule (every 15 minutes: 3 actions per execution plus its workflow\'s own).',
  );
  if (connect) lines.push('', `One connect (update-with-start \`reconnect\`, once per account): ${formatValue(connect.actions)} actions, ${formatValue(connect.events)} events, ${formatValue(connect.activities)} activities, ${formatValue(connect.upserts)} search-attribute upserts (and ${formatValue(connect.versionUpserts)} of \`TemporalChangeVersion\` beside patch markers, not billed).`);
  const busiest = [...m.results].sort((a, b) => b.databaseCommands.workerPerAccountDay - a.databaseCommands.workerPerAccountDay)[0];
  if (busiest) {
    const top = Object.entries(busiest.databaseCommands.workerByCommand).slice(0, 8).map(([key, c]) => `${key} ${formatValue(c.count)}`).join(', ');
    lines.push('', `Worker database commands per account-day on ${busiest.platform} (${busiest.variant}): ${top}.`);
  }
  lines.push('', problems.length ? `**FAIL**: ${problems.join('; ')}` : '**PASS**: every daily post was published.');
  return { json: { ...m, generatedAt: new Date().toISOString(), problems }, markdown: lines.join('\n'), problems };
}
