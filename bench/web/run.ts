import { availableParallelism } from 'node:os';
import { loadAverage, runtimeSec, withBenchRun } from '../shared/run.js';
import { BenchBrowser } from './http.js';
import { CONNECTIONS, countQueries, HEALTHZ, pillsOnPage, STYLESHEET, timeRoutes } from './measure.js';
import { measureAccountPage } from './account-page.js';
import { parseWebOptions } from './options.js';
import { buildReport, type SizeMeasurement } from './report.js';
import { createBenchUser, seedAccounts } from './seed.js';
import { startWebStack } from './stack.js';

// `npm run bench -- web`: Connections-page latency as one pen name grows through the sizes, beside
// /healthz in the same rounds, and the MongoDB work per render at each size.

export async function runWebBench(argv: string[]): Promise<number> {
  const options = parseWebOptions(argv);
  return withBenchRun('web', 'stopping the dashboard and the database', async (run) => {
    const { logs, cleanup, progress } = run;
    const largest = options.sizes.at(-1)!;
    progress(`web benchmark: ${options.sizes.join(', ')} accounts; logs in ${logs.dir}`);
    const stack = await startWebStack({ logs, cleanup, planLimit: largest * 2 });
    progress(`database (${stack.databaseKind}) and dashboard up at ${stack.baseUrl}`);

    const setupStarted = Date.now();
    const user = await createBenchUser(stack.models);
    const browser = new BenchBrowser(stack.baseUrl);
    cleanup.add('http client', () => browser.close());
    await browser.logIn(user.email, user.password);
    let setupSec = (Date.now() - setupStarted) / 1000;

    const sizes: SizeMeasurement[] = [];
    let seeded = 0;
    for (const accounts of options.sizes) {
      const seedStarted = Date.now();
      await seedAccounts(stack.models, user, seeded, accounts);
      seeded = accounts;
      setupSec += (Date.now() - seedStarted) / 1000;
      const pillsShown = await pillsOnPage(browser);
      progress(`${accounts} accounts: the page shows ${pillsShown} pills; timing ${options.requests} requests per route after ${options.warmup} warm-up rounds`);
      const [connections, baseline, stylesheet] = await timeRoutes(browser, [CONNECTIONS, HEALTHZ, STYLESHEET], options);
      const queries = {
        connections: await countQueries(stack.connection, browser, CONNECTIONS, options.countedRenders),
        baseline: await countQueries(stack.connection, browser, HEALTHZ, options.countedRenders),
      };
      progress(`  p50 ${connections!.latencyMs.p50} ms (/healthz ${baseline!.latencyMs.p50} ms); ${queries.connections.operations[0]} operations, ${queries.connections.commands[0]} wire commands per render`);
      sizes.push({ accounts, pillsShown, timings: { connections: connections!, baseline: baseline!, stylesheet: stylesheet! }, queries });
    }

    const accountPage = await measureAccountPage({ models: stack.models, connection: stack.connection, browser, user }, options, progress);

    return buildReport({
      accountPage,
      options,
      environment: { cpus: availableParallelism(), node: process.version, database: stack.databaseKind, loadAverage: loadAverage(run) },
      setupSec,
      runtimeSec: runtimeSec(run),
      sizes,
    });
  });
}
