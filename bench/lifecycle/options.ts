import { parseArgs } from 'node:util';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../../config/schema.js';
import { RENEWALS_PER_SECOND } from '../../worker/create-worker.js';
import type { EmbeddedDatabaseBackend } from '../../config/schema.js';
import { DB_BACKEND_USAGE, dbBackend, positiveInteger, positiveNumber } from '../shared/options.js';

// Command-line options of `npm run bench -- lifecycle`.

export interface LifecycleOptions {
  accounts: number;
  /** Connects (and baseline starts) in flight at once. */
  concurrency: number;
  /** Concurrency of the unmeasured setup (identities, OAuth consent). */
  setupConcurrency: number;
  latencySamples: number;
  /** Updates offered per second while timing them (an open loop). */
  latencyRate: number;
  storm: boolean;
  /** Accounts in the storm (the first ones connected). */
  stormAccounts: number;
  /** The storm's health checks fall due together at least this long after its setup wave starts. */
  stormDueSec: number;
  /** Sandbox limit on X's token endpoint during the storm. */
  tokenLimit: { limit: number; windowSec: number };
  /** Tether worker processes serving the storm (the first one plus the others started for it). */
  stormWorkers: number;
  /** Give up waiting for the storm's renewals after this long (default from N and the limit). */
  stormTimeoutSec?: number;
  /** Seconds to let the workers go idle before reading their memory. */
  settleSec: number;
  /** Workflow cache of both workers (TEMPORAL_MAX_CACHED_WORKFLOWS for Tether's). */
  maxCachedWorkflows: number;
  /** Connects and refreshNow updates run one at a time first, each counted alone (database commands, platform calls). */
  countedSamples: number;
  /** Histories read per measured operation for the time breakdown. */
  profileSamples: number;
  /** Worker memory is also read when this many accounts are connected (if fewer than --accounts). */
  memoryCheckpoint: number;
  /** Connect throughput is compared over the first and the last this many connects. */
  window: number;
  dbBackend: EmbeddedDatabaseBackend;
  workerProfile: boolean;
}

export const LIFECYCLE_USAGE = `npm run bench -- lifecycle [options]

  --accounts N               account workflows (default 1000; 100 for a quick run)
  --concurrency C            connects / baseline starts in flight (default 32)
  --setup-concurrency C      OAuth consents in flight during setup (default 16)
  --latency-samples S        updates timed per kind (default 200)
  --latency-rate R           updates started per second while timing them, however many are
                             in flight (default ${RENEWALS_PER_SECOND.x / 2}: half of X's renewal rate, so
                             refreshNow measures Tether, not the platform's limit)
  --no-storm                 skip the renewal storm
  --storm-accounts S         accounts in the storm, connected for it (default min(N, 1000);
                             at N / rate seconds each, a storm of 10,000 takes over half an hour)
  --storm-due-sec S          the storm's health checks all fall due S seconds after its setup
                             wave starts (default 120; raised so the wave fits and no account's
                             next check falls inside the storm)
  --token-limit L/W          the platform's X token-endpoint limit in the sandbox: L requests
                             per W seconds (default ${RENEWALS_PER_SECOND.x}/1, Tether's X renewal rate)
  --storm-workers W          Tether worker processes during the storm (default 1): W - 1 more
                             start before it, and all of them share the platform's rate
  --storm-timeout-sec S      stop waiting for renewals after S seconds
  --settle-sec S             idle time before reading worker memory (default 10)
  --max-cached-workflows C   workflow cache of both workers (default ${DEFAULT_MAX_CACHED_WORKFLOWS},
                             Tether's TEMPORAL_MAX_CACHED_WORKFLOWS default)
  --counted-samples K        connects and refreshNow updates counted one at a time (default 5)
  --profile-samples P        histories read per operation for the time breakdown (default 50)
  --memory-checkpoint M      also read worker memory at M accounts (default 1000)
  --window W                 compare connect throughput over the first and last W (default 300)
  --worker-profile           CPU profiles of Tether's worker, its main and workflow threads,
                             over the first and last chunks of connects and over the timed
                             refreshNow updates: worker-connects-<from>[-<thread>] and
                             worker-refresh-now[-<thread>] .cpuprofile files, with summaries,
                             in the logs folder
${DB_BACKEND_USAGE}`;

export function parseLifecycleOptions(argv: string[]): LifecycleOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      accounts: { type: 'string' },
      concurrency: { type: 'string' },
      'setup-concurrency': { type: 'string' },
      'latency-samples': { type: 'string' },
      'latency-rate': { type: 'string' },
      'no-storm': { type: 'boolean', default: false },
      'storm-due-sec': { type: 'string' },
      'token-limit': { type: 'string' },
      'storm-timeout-sec': { type: 'string' },
      'settle-sec': { type: 'string' },
      'storm-accounts': { type: 'string' },
      'storm-workers': { type: 'string' },
      'max-cached-workflows': { type: 'string' },
      'counted-samples': { type: 'string' },
      'profile-samples': { type: 'string' },
      'memory-checkpoint': { type: 'string' },
      window: { type: 'string' },
      'db-backend': { type: 'string' },
      'worker-profile': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const limitText = values['token-limit'] ?? `${RENEWALS_PER_SECOND.x}/1`;
  const limitMatch = /^(\d+)\/(\d+)$/.exec(limitText);
  if (!limitMatch) throw new Error(`--token-limit must look like 5/1 (requests/seconds), got "${limitText}"`);
  const accounts = positiveInteger('accounts', values.accounts, 1000);
  return {
    accounts,
    concurrency: positiveInteger('concurrency', values.concurrency, 32),
    setupConcurrency: positiveInteger('setup-concurrency', values['setup-concurrency'], 16),
    latencySamples: Math.min(accounts, positiveInteger('latency-samples', values['latency-samples'], 200)),
    latencyRate: positiveNumber('latency-rate', values['latency-rate'], RENEWALS_PER_SECOND.x / 2),
    storm: !values['no-storm'],
    stormDueSec: positiveInteger('storm-due-sec', values['storm-due-sec'], 120),
    tokenLimit: { limit: Number(limitMatch[1]), windowSec: Number(limitMatch[2]) },
    stormTimeoutSec: values['storm-timeout-sec'] === undefined ? undefined : positiveInteger('storm-timeout-sec', values['storm-timeout-sec'], 1),
    settleSec: positiveInteger('settle-sec', values['settle-sec'], 10),
    stormWorkers: positiveInteger('storm-workers', values['storm-workers'], 1),
    stormAccounts: values['storm-accounts'] === undefined ? Math.min(accounts, 1000) : positiveInteger('storm-accounts', values['storm-accounts'], 1000),
    maxCachedWorkflows: positiveInteger('max-cached-workflows', values['max-cached-workflows'], DEFAULT_MAX_CACHED_WORKFLOWS),
    countedSamples: Math.min(accounts, positiveInteger('counted-samples', values['counted-samples'], 5)),
    profileSamples: positiveInteger('profile-samples', values['profile-samples'], 50),
    memoryCheckpoint: positiveInteger('memory-checkpoint', values['memory-checkpoint'], 1000),
    window: positiveInteger('window', values['window'], 300),
    dbBackend: dbBackend(values['db-backend']),
    workerProfile: values['worker-profile'],
  };
}
