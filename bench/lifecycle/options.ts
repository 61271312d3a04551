import { parseArgs } from 'node:util';
import { RENEWALS_PER_SECOND } from '../../worker/create-worker.js';
import { positiveInteger } from '../shared/options.js';

// Command-line options of `npm run bench -- lifecycle`.

export interface LifecycleOptions {
  accounts: number;
  /** Connects (and baseline starts) in flight at once. */
  concurrency: number;
  /** Concurrency of the unmeasured setup (identities, OAuth consent). */
  setupConcurrency: number;
  latencySamples: number;
  latencyConcurrency: number;
  storm: boolean;
  /** The storm's tokens all expire this long after its setup wave starts, so their renewals fall due together. */
  stormAccessSec: number;
  /** Sandbox limit on X's token endpoint during the storm. */
  tokenLimit: { limit: number; windowSec: number };
  /** Give up waiting for the storm's renewals after this long (default from N and the limit). */
  stormTimeoutSec?: number;
  /** Seconds to let the workers go idle before reading their memory. */
  settleSec: number;
}

export const LIFECYCLE_USAGE = `npm run bench -- lifecycle [options]

  --accounts N               account workflows (default 1000; 100 for a quick run)
  --concurrency C            connects / baseline starts in flight (default 32)
  --setup-concurrency C      OAuth consents in flight during setup (default 16)
  --latency-samples S        updates timed per kind (default 200)
  --latency-concurrency C    updates in flight while timing (default 2)
  --no-storm                 skip the renewal storm
  --storm-access-sec S       the storm's tokens all expire S seconds after its setup wave
                             starts (default 120; raised when the wave needs longer)
  --token-limit L/W          sandbox X token-endpoint limit: L requests per W seconds
                             (default ${RENEWALS_PER_SECOND.x}/1, the renewal worker's X rate)
  --storm-timeout-sec S      stop waiting for renewals after S seconds
  --settle-sec S             idle time before reading worker memory (default 10)`;

export function parseLifecycleOptions(argv: string[]): LifecycleOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      accounts: { type: 'string' },
      concurrency: { type: 'string' },
      'setup-concurrency': { type: 'string' },
      'latency-samples': { type: 'string' },
      'latency-concurrency': { type: 'string' },
      'no-storm': { type: 'boolean', default: false },
      'storm-access-sec': { type: 'string' },
      'token-limit': { type: 'string' },
      'storm-timeout-sec': { type: 'string' },
      'settle-sec': { type: 'string' },
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
    latencyConcurrency: positiveInteger('latency-concurrency', values['latency-concurrency'], 2),
    storm: !values['no-storm'],
    stormAccessSec: positiveInteger('storm-access-sec', values['storm-access-sec'], 120),
    tokenLimit: { limit: Number(limitMatch[1]), windowSec: Number(limitMatch[2]) },
    stormTimeoutSec: values['storm-timeout-sec'] === undefined ? undefined : positiveInteger('storm-timeout-sec', values['storm-timeout-sec'], 1),
    settleSec: positiveInteger('settle-sec', values['settle-sec'], 10),
  };
}
