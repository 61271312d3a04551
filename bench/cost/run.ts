import { availableParallelism } from 'node:os';
import { loadAverage, runtimeSec, withBenchRun } from '../shared/run.js';
import { measurePlatform, type PlatformCost } from './measure.js';
import { parseCostOptions, PUBLISHING_PLATFORMS } from './options.js';
import { buildReport } from './report.js';
import { startCostStack } from './stack.js';

// `npm run bench -- cost`: what an account costs per day on each platform policy, idle and with
// one post a day, over simulated days on Temporal's time-skipping test server. Platforms run one
// after another, each on accounts of its own, so every count belongs to one platform.

export async function runCostBench(argv: string[]): Promise<number> {
  const options = parseCostOptions(argv);
  return withBenchRun('cost', 'stopping workers and servers', async (run) => {
    const { progress } = run;
    progress(`cost benchmark: ${options.platforms.join(', ')}; ${options.variants.join(' and ')}; ${options.days} simulated days; logs in ${run.logs.dir}`);
    const stack = await startCostStack(run);
    const results: PlatformCost[] = [];
    for (const variant of options.variants) {
      for (const platform of options.platforms) {
        if (variant === 'posts' && !PUBLISHING_PLATFORMS.includes(platform)) continue;
        progress(`${platform} (${variant}): ${options.accountsPerPlatform} account(s), ${options.days} days`);
        const result = await measurePlatform(stack, { platform, variant, accounts: options.accountsPerPlatform, days: options.days, postHour: options.postHour }, progress);
        results.push(result);
        progress(
          `  ${result.actionsPerAccountMonth} actions/account-month; per day ${result.perAccountDay.events} events, ${result.perAccountDay.activities} activities, ` +
            `${result.platformCalls.perAccountDay.toFixed(2)} platform calls, ${result.databaseCommands.workerPerAccountDay.toFixed(1)} database commands (${result.realSec.toFixed(0)} s)`,
        );
      }
    }
    return buildReport({
      options,
      environment: { cpus: availableParallelism(), node: process.version, database: stack.databaseKind, temporal: 'Temporal time-skipping test server', loadAverage: loadAverage(run) },
      results,
      runtimeSec: runtimeSec(run),
    });
  });
}
