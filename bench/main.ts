import { configFromEnvironment } from '../config/index.js';
import { ACCOUNTS_USAGE } from './accounts/options.js';
import { COST_USAGE } from './cost/options.js';
import { DISPATCH_USAGE } from './dispatch/options.js';
import { LIFECYCLE_USAGE } from './lifecycle/options.js';
import { PUBLISH_USAGE } from './publish/options.js';
import { STARTUP_USAGE } from './startup/options.js';
import { TARGETS_USAGE } from './targets/options.js';
import { WEB_USAGE } from './web/options.js';

// `npm run bench -- <name> [options]`: runs one benchmark against servers it starts itself.

const BENCHMARKS: Record<string, { usage: string; run?: (argv: string[], settings: { temporalCliPath?: string }) => Promise<number> }> = {
  lifecycle: { usage: LIFECYCLE_USAGE, run: async (argv, settings) => (await import('./lifecycle/run.js')).runLifecycleBench(argv, settings) },
  web: { usage: WEB_USAGE, run: async (argv) => (await import('./web/run.js')).runWebBench(argv) },
  publish: { usage: PUBLISH_USAGE, run: async (argv, settings) => (await import('./publish/run.js')).runPublishBench(argv, settings) },
  accounts: { usage: ACCOUNTS_USAGE, run: async (argv) => (await import('./accounts/run.js')).runAccountsBench(argv) },
  cost: { usage: COST_USAGE, run: async (argv) => (await import('./cost/run.js')).runCostBench(argv) },
  dispatch: { usage: DISPATCH_USAGE, run: async (argv) => (await import('./dispatch/run.js')).runDispatchBench(argv) },
  targets: { usage: TARGETS_USAGE, run: async (argv) => (await import('./targets/run.js')).runTargetsReport(argv) },
  startup: { usage: STARTUP_USAGE, run: async (argv, settings) => (await import('./startup/run.js')).runStartupBench(argv, settings) },
};

const [name, ...argv] = process.argv.slice(2);
const benchmark = name ? BENCHMARKS[name] : undefined;
if (!benchmark || argv.includes('--help')) {
  process.stderr.write(`${benchmark?.usage ?? `usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}> [options]`}\n`);
  process.exit(benchmark ? 0 : 2);
}
if (!benchmark.run) {
  process.stderr.write(`The ${name} benchmark is not written yet.\n`);
  process.exit(2);
}
const config = configFromEnvironment();
try {
  process.exitCode = await benchmark.run(argv, { temporalCliPath: config.tools.temporalCliPath });
} catch (error) {
  process.stderr.write(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
