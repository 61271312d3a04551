import { describeCpu } from '../shared/cpu.js';
import { formatValue, markdownTable, type Row } from '../shared/report.js';
import type { BareTimerMeasurement } from './bare-timer.js';
import type { BaselineMeasurement } from './baseline.js';
import { medianRatio, readPair, type BurstPair } from './pairs.js';
import type { RoundMeasurement } from './drain.js';
import type { PublishOptions } from './options.js';
import type { CycleProfile } from './profile.js';
import type { RateLimitMeasurement } from './rate-limit.js';

// The publishing benchmark's JSON, its markdown table, and the problems that fail the run.

export interface PublishMeasurements {
  options: PublishOptions;
  environment: { cpus: number; node: string; database: string; temporal: string; loadAverage: { start: number; end: number } };
  setupSec: number;
  runtimeSec: number;
  baseline: BaselineMeasurement;
  /** Bare workflows with a timer and the same activities per post, as no-ops. */
  bareTimer: BareTimerMeasurement;
  /** Where the burst's time went inside the account workflows (histories). */
  profile: CycleProfile;
  burst: RoundMeasurement;
  /** The direct calls and the text burst in turn, the first pair being `baseline` and `burst` (older results: absent). */
  pairs?: BurstPair[];
  /** The burst again, each post with an image. */
  media?: RoundMeasurement;
  limited?: { round: RoundMeasurement; rateLimit: RateLimitMeasurement };
}

function roundProblems(round: RoundMeasurement, options: PublishOptions): string[] {
  const problems: string[] = [];
  const name = `${round.label} round`;
  const { scheduling, onPlatform, sandbox } = round;
  if (scheduling.marginSec < 0) problems.push(`${name}: scheduling took ${scheduling.schedulingSec.toFixed(1)} s, past the due instant (raise --lead-sec above ${options.leadSec})`);
  if (scheduling.notQueued > 0) problems.push(`${name}: ${scheduling.notQueued} posts were not queued (${scheduling.firstRefusal ?? ''})`);
  if (scheduling.wrongPosition > 0) problems.push(`${name}: ${scheduling.wrongPosition} posts got an unexpected queue position`);
  if (round.unsettled > 0) problems.push(`${name}: ${round.unsettled} targets still waiting after the timeout`);
  if (round.failed > 0) problems.push(`${name}: ${round.failed} targets failed (${round.failureReasons.join('; ')})`);
  if (round.canceled > 0) problems.push(`${name}: ${round.canceled} targets were cancelled`);
  if (sandbox.publishDuplicates > 0) problems.push(`${name}: the sandbox refused ${sandbox.publishDuplicates} duplicate publishes`);
  if (onPlatform.missing > 0) problems.push(`${name}: ${onPlatform.missing} posts are missing on the platform`);
  if (onPlatform.extra > 0) problems.push(`${name}: ${onPlatform.extra} extra posts on the platform (published twice?)`);
  if (onPlatform.accountsOutOfOrder > 0) problems.push(`${name}: ${onPlatform.accountsOutOfOrder} accounts published out of queue order`);
  if (onPlatform.withoutMedia > 0) problems.push(`${name}: ${onPlatform.withoutMedia} posts on the platform without their image`);
  return problems;
}

export function problemsOf(m: PublishMeasurements): string[] {
  const problems: string[] = [];
  if (m.baseline.failures > 0) problems.push(`baseline: ${m.baseline.failures} direct publishes failed (${m.baseline.firstError ?? ''})`);
  problems.push(...roundProblems(m.burst, m.options));
  for (const [index, pair] of (m.pairs ?? []).entries()) {
    if (index === 0) continue;
    if (pair.baseline.failures > 0) problems.push(`pair ${index + 1}: ${pair.baseline.failures} direct publishes failed (${pair.baseline.firstError ?? ''})`);
    problems.push(...roundProblems(pair.burst, m.options));
  }
  if (m.media) problems.push(...roundProblems(m.media, m.options));
  if (m.limited) {
    const { round, rateLimit } = m.limited;
    problems.push(...roundProblems(round, m.options));
    if (rateLimit.publishedBeforeReset > 0) problems.push(`rate-limited round: ${rateLimit.publishedBeforeReset} posts of limited accounts were published before the reset`);
    if (round.sandbox.tooManyRequests === 0) problems.push('rate-limited round: the sandbox answered no 429, so the limit was never hit (the round measured nothing)');
  }
  return problems;
}

/** `baseline` only where the round is comparable with it (not while some accounts wait for a reset). */
function roundRows(round: RoundMeasurement, baseline: BaselineMeasurement | undefined, prefix: string): Row[] {
  return [
    { metric: `${prefix}: due instant → every post published (drain)`, ours: round.drainSec, baseline: baseline?.drainSec, unit: 's' },
    { metric: `${prefix}: throughput over the drain`, ours: round.postsPerSec, baseline: baseline?.postsPerSec, unit: 'posts/s', ratio: 'baseline/ours' },
    { metric: `${prefix}: lateness per post p50`, ours: round.latenessMs.p50, baseline: baseline?.latenessMs.p50, unit: 'ms' },
    { metric: `${prefix}: lateness per post p95`, ours: round.latenessMs.p95, baseline: baseline?.latenessMs.p95, unit: 'ms' },
    { metric: `${prefix}: first post published after the due instant`, ours: round.firstPublishedMs, unit: 'ms' },
    { metric: `${prefix}: per-post cycle within an account p50 (vs one direct call)`, ours: round.cycleMs.p50, baseline: baseline?.callMs.p50, unit: 'ms' },
    { metric: `${prefix}: per-post cycle within an account p95`, ours: round.cycleMs.p95, baseline: baseline?.callMs.p95, unit: 'ms' },
    { metric: `${prefix}: targets published / failed / still waiting`, ours: `${round.published} / ${round.failed} / ${round.unsettled}`, unit: 'targets' },
    { metric: `${prefix}: sandbox publish attempts / replays / duplicates`, ours: `${round.sandbox.publishAttempts} / ${round.sandbox.publishReplays} / ${round.sandbox.publishDuplicates}`, unit: 'requests' },
    { metric: `${prefix}: on the platform (missing / extra / accounts out of order)`, ours: `${round.onPlatform.posts} (${round.onPlatform.missing} / ${round.onPlatform.extra} / ${round.onPlatform.accountsOutOfOrder})`, unit: 'posts' },
    { metric: `${prefix}: scheduling (createPost + queuePost), margin before due`, ours: `${round.scheduling.schedulingSec.toFixed(1)} s, ${round.scheduling.marginSec.toFixed(1)} s`, unit: '' },
  ];
}

function sameShapeRows(round: RoundMeasurement, bare: BareTimerMeasurement): Row[] {
  return [
    { metric: 'Burst: due instant → every post published (drain)', ours: round.drainSec, baseline: bare.drainSec, unit: 's' },
    { metric: 'Burst: throughput over the drain', ours: round.postsPerSec, baseline: bare.postsPerSec, unit: 'posts/s', ratio: 'baseline/ours' },
    { metric: 'Burst: lateness per post p50', ours: round.latenessMs.p50, baseline: bare.latenessMs.p50, unit: 'ms' },
    { metric: 'Burst: lateness per post p95', ours: round.latenessMs.p95, baseline: bare.latenessMs.p95, unit: 'ms' },
    { metric: 'Burst: first post after the due instant', ours: round.firstPublishedMs, baseline: bare.firstPublishedMs, unit: 'ms' },
    { metric: 'Burst: per-post cycle within an account p50', ours: round.cycleMs.p50, baseline: bare.cycleMs.p50, unit: 'ms' },
    { metric: 'Burst: per-post cycle within an account p95', ours: round.cycleMs.p95, baseline: bare.cycleMs.p95, unit: 'ms' },
  ];
}

function profileRows(round: RoundMeasurement, profile: CycleProfile): Row[] {
  const perPostRunMs = profile.activityRunMs / (profile.postsPerActivity || 1);
  const rest = perPostRunMs - round.perPost.databaseMs - round.perPost.platformMs;
  return [
    { metric: `Due instant → the round's timer fired (mean of ${profile.accounts} accounts)`, ours: profile.timerFiredAfterDueMs, unit: 'ms' },
    { metric: 'Timer fired → first publish scheduled (workflow task)', ours: profile.firstTaskMs, unit: 'ms' },
    { metric: 'Posts per publish activity (1: one activity per post; more: the posts due together in one)', ours: profile.postsPerActivity, unit: 'posts' },
    { metric: 'Per publish activity after the first: previous one done → next scheduled (workflow task)', ours: profile.gapMs, unit: 'ms' },
    { metric: '… of which waiting for the worker / running workflow code', ours: `${formatValue(profile.workflowTaskQueueMs)} / ${formatValue(profile.workflowTaskRunMs)}`, unit: 'ms' },
    { metric: 'Per publish activity: waiting in its queue', ours: profile.activityQueueMs, unit: 'ms' },
    { metric: 'Per publish activity: running', ours: profile.activityRunMs, unit: 'ms' },
    { metric: 'Per post: publish activity running (the activity\'s run / its posts)', ours: perPostRunMs, unit: 'ms' },
    { metric: '… database (commands × time as the driver saw it)', ours: `${formatValue(round.perPost.databaseCommands)} × → ${formatValue(round.perPost.databaseMs)} ms`, unit: '' },
    { metric: '… platform call (the sandbox\'s time to answer)', ours: `${formatValue(round.perPost.platformCalls)} × → ${formatValue(round.perPost.platformMs)} ms`, unit: '' },
    { metric: '… the rest (decrypting, the adapter, event-loop waits; the sum of the parts may exceed the run time: commands overlap)', ours: rest, unit: 'ms' },
    { metric: 'Activities per post (all types) in the round', ours: profile.activitiesPerPost, unit: 'activities' },
    { metric: 'Database commands per post: scheduling (createPost + queuePost, dashboard side)', ours: round.scheduling.commandsPerPost, unit: 'commands' },
    { metric: 'Database commands per post: publishing (worker)', ours: round.perPost.databaseCommands, unit: 'commands' },
  ];
}

/** Each pair's direct calls and burst, and the median ratio the per-post cycle is judged by. */
function pairSection(pairs: BurstPair[]): string[] {
  if (pairs.length < 2) return [];
  const readings = pairs.map(readPair);
  return [
    `### The text burst ${pairs.length} times, each after its own round of direct calls`,
    '',
    '| Pair | One direct call p50 (ms) | Per-post cycle p50 (ms) | Ratio | Drain (s) | Tether worker CPU per post (ms) | Other work on the machine (% of a core) |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...readings.map(
      (r, i) =>
        `| ${i + 1} | ${formatValue(r.callP50Ms)} | ${formatValue(r.cycleP50Ms)} | ${r.ratio.toFixed(2)}× | ${formatValue(r.drainSec)} | ${formatValue(r.workerMsPerPost)} | ${formatValue(r.othersPercentOfCore)} |`,
    ),
    '',
    `Per-post cycle against one direct call, median of the ${pairs.length} pairs: **${medianRatio(readings).toFixed(2)}×** (the tables above read pair 1).`,
    '',
  ];
}

const topCommands = (totals: Record<string, { count: number }>, n = 8) =>
  Object.entries(totals)
    .slice(0, n)
    .map(([key, c]) => `${key} ${formatValue(c.count)}`)
    .join(', ');

export function buildReport(m: PublishMeasurements): { json: unknown; markdown: string; problems: string[] } {
  const { burst, baseline, options } = m;
  const perAccount = Math.round(options.posts / options.accounts);
  const rows = roundRows(burst, baseline, 'Burst');
  if (m.media) {
    const media = m.media;
    rows.push(
      {
        metric: 'Media burst: posts per second beside the text burst (same run; ratio text/media)',
        ours: `${formatValue(media.postsPerSec)} vs ${formatValue(burst.postsPerSec)} (×${formatValue(burst.postsPerSec / media.postsPerSec)})`,
        unit: 'posts/s',
      },
      ...roundRows(media, undefined, 'Media burst (one image each)'),
    );
  }
  if (m.limited) {
    const { round, rateLimit: r } = m.limited;
    rows.push(
      ...roundRows(round, undefined, `Rate-limited (${r.limitedAccounts} of ${round.accounts} accounts)`),
      { metric: `Limited accounts: posts published / failed (limit resets ${r.resetAfterDueSec.toFixed(1)} s after due)`, ours: `${r.limitedPublished}/${r.limitedPosts} / ${r.limitedFailed}`, unit: 'targets' },
      { metric: 'Limited accounts: published before the reset (must be 0)', ours: r.publishedBeforeReset, unit: 'posts' },
      { metric: 'Limited accounts: 429s the sandbox answered', ours: round.sandbox.tooManyRequests, unit: 'responses' },
      { metric: 'Limited accounts: publish calls by the activity (posts + one 429 each expected)', ours: r.limitedActivityAttempts, unit: 'calls' },
      { metric: 'Limited accounts: reset → first post published', ours: r.firstAfterResetSec * 1000, unit: 'ms' },
      { metric: 'Limited accounts: reset → last post published (vs baseline drain)', ours: r.lastAfterResetSec, baseline: baseline.drainSec, unit: 's' },
      { metric: 'Other accounts: due → last post published (vs baseline drain)', ours: r.otherAccountsDrainSec, baseline: baseline.drainSec, unit: 's' },
      { metric: 'Other accounts: lateness p50', ours: r.otherLatenessMs.p50, baseline: baseline.latenessMs.p50, unit: 'ms' },
      { metric: 'Other accounts: lateness p95', ours: r.otherLatenessMs.p95, baseline: baseline.latenessMs.p95, unit: 'ms' },
    );
  }

  const problems = problemsOf(m);
  const env = m.environment;
  const lines = [
    `## Publishing benchmark — ${options.posts} posts due at one instant over ${options.accounts} accounts (${perAccount} each)`,
    '',
    `${env.cpus} CPUs, Node ${env.node}, ${env.temporal}, ${env.database}; Tether's worker in its own process; ` +
      `setup (identities, consents, connects; not measured) ${m.setupSec.toFixed(1)} s; whole run ${m.runtimeSec.toFixed(0)} s; ` +
      `1-minute load average ${env.loadAverage.start.toFixed(2)} at the start, ${env.loadAverage.end.toFixed(2)} at the end.`,
    '',
    markdownTable(rows, { ours: 'Tether queue', baseline: 'Direct adapter calls' }),
    '',
    `### The burst against bare workflows of the same shape (a timer, then ${m.bareTimer.shape.length} no-op activit${m.bareTimer.shape.length === 1 ? 'y' : 'ies'} per ${m.bareTimer.postsPerRun === 1 ? 'post' : `${m.bareTimer.postsPerRun} posts`})`,
    ...(m.bareTimer.postsPerRun > 1
      ? ['', `Tether published the posts due together ${m.bareTimer.postsPerRun} to an activity (mean), so the bare workflow runs its no-op once per ${m.bareTimer.postsPerRun} posts; a no-op does no work per post, so its posts of one run go out at the same instant and its per-post cycle is Temporal's cost of a run spread over its posts.`]
      : []),
    '',
    markdownTable(sameShapeRows(burst, m.bareTimer), { ours: 'Tether queue', baseline: 'Same shape' }),
    '',
    ...pairSection(m.pairs ?? []),
    '### Where the burst\'s time went (account histories, command monitoring, the sandbox)',
    '',
    markdownTable(profileRows(burst, m.profile), { ours: 'Tether', baseline: '' }),
    '',
    `CPU during the burst (due instant → every target seen settled), ${describeCpu(burst.cpu, { count: burst.published, unit: 'post' })}.` +
      (m.media ? ` Media burst: ${describeCpu(m.media.cpu, { count: m.media.published, unit: 'post' })}.` : ''),
    '',
    `Publishing, worker commands per post: ${topCommands(burst.perPost.byCommand)}. Scheduling, per post: ${topCommands(burst.scheduling.commandsByCommand)}.`,
    '',
    `Baseline: the X adapter's \`publish\` called from the benchmark's process against the same sandbox, ${baseline.posts} posts over ${baseline.accounts} other identities, ` +
      `one after another per account and all accounts at once (after ${baseline.warmupPerLane} untimed call per account); its "lateness" is the time from the common start to each answer ` +
      `(one call p50 ${formatValue(baseline.callMs.p50)} ms, p95 ${formatValue(baseline.callMs.p95)} ms).`,
    `Tether: after ${baseline.warmupPerLane} untimed post per account through the same path, ` +
      'each post stored (`createPost`) and handed to its account workflow (`queuePost`); lateness is the target\'s `publishedAt` (written by the publish activity when X answered) minus the due instant; ' +
      'the per-post cycle is the time between two consecutive `publishedAt` of one account (activity dispatch, its MongoDB reads and writes, the X call, the workflow task), beside one direct call.',
    ...(m.media
      ? [
          'Media burst: the same number of posts, each carrying one stored JPEG (the bundled sample) that the publish activity reads from GridFS and uploads to X (initialize, append, finalize, alt text) before the post; no direct-call baseline, it is set beside the text burst of the same run.',
        ]
      : []),
    'Ratios: times and lateness are Tether/baseline; throughput is baseline/Tether (how many times slower). ' +
      'The rate-limited round as a whole includes the wait for the reset, so only its parts are compared: the limited accounts from the reset on, the other accounts from the due instant.',
    '',
    problems.length
      ? `**FAIL**: ${problems.join('; ')}`
      : `**PASS**: every post published exactly once, in queue order, none failed, no duplicates${m.media ? ', every media post with its image' : ''}${m.limited ? '; the rate-limited accounts waited for the reset and failed nothing' : ''}.`,
  ];
  return { json: { ...m, generatedAt: new Date().toISOString(), problems }, markdown: lines.join('\n'), problems };
}
