import { parseArgs } from 'node:util';
import type { EmbeddedDatabaseBackend } from '../../config/schema.js';
import { DB_BACKEND_USAGE, dbBackend, positiveInteger } from '../shared/options.js';

// Command-line options of `npm run bench -- publish`.

export interface PublishOptions {
  /** Connected X accounts, each with its own account workflow and queue. */
  accounts: number;
  /** Posts per round, spread round-robin over the accounts (one target each), all due at one instant. */
  posts: number;
  /** The round's due instant is this long after its scheduling starts; scheduling must finish first. */
  leadSec: number;
  /** Run the media round: the same number of posts, each with an image uploaded to X. */
  media: boolean;
  /** Run the rate-limited round, with the sandbox rate-limiting some accounts over the due instant. */
  rateLimit: boolean;
  /** Accounts the sandbox rate-limits in the second round. */
  limitedAccounts: number;
  /** The rate limit resets this long after the second round's due instant. */
  limitSec: number;
  /** Identities, consents and connects in flight during setup. */
  setupConcurrency: number;
  /** Give up waiting for a round this long after its due instant (the rate-limit window is added). */
  timeoutSec: number;
  dbBackend: EmbeddedDatabaseBackend;
  /** Take a CPU profile of Tether's worker over the text burst (saved beside the logs). */
  workerProfile: boolean;
  /** Tether's worker processes on the account task queue (production scales out this way). */
  tetherWorkers: number;
  /** Text bursts, each after its own round of direct calls; the per-post cycle is judged by the median pair. */
  bursts: number;
}

export const PUBLISH_USAGE = `npm run bench -- publish [options]

  --accounts M            connected X accounts, one queue each (default 20)
  --posts N               posts per round, round-robin over the accounts (default 200)
  --lead-sec S            a round's posts are all due S seconds after its scheduling
                          starts (default 20; scheduling must finish before)
  --no-media              skip the media round (N posts with an image each)
  --no-rate-limit         skip the rate-limited round
  --limited-accounts K    accounts the sandbox rate-limits in the second round
                          (default a quarter of M, at least 1)
  --limit-sec S           the limit resets S seconds after the second round's due
                          instant (default 10)
  --setup-concurrency C   identities / consents / connects in flight (default 8)
  --timeout-sec S         stop waiting for a round S seconds after it is due
                          (default 180, plus --limit-sec in the second round)
  --worker-profile        CPU profiles of Tether's worker over the text burst, one per
                          thread (main, then the workflow threads): worker-burst[-<thread>]
                          .cpuprofile files and summaries in the logs folder
  --tether-workers W      Tether's worker processes on the account queue (default 1)
  --bursts B              text bursts, each after its own round of direct calls; the
                          per-post cycle ratio is the median of the B pairs (default 3)
${DB_BACKEND_USAGE}`;

export function parsePublishOptions(argv: string[]): PublishOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      accounts: { type: 'string' },
      posts: { type: 'string' },
      'lead-sec': { type: 'string' },
      'no-media': { type: 'boolean', default: false },
      'no-rate-limit': { type: 'boolean', default: false },
      'limited-accounts': { type: 'string' },
      'limit-sec': { type: 'string' },
      'setup-concurrency': { type: 'string' },
      'timeout-sec': { type: 'string' },
      'db-backend': { type: 'string' },
      'worker-profile': { type: 'boolean', default: false },
      'tether-workers': { type: 'string' },
      bursts: { type: 'string' },
    },
    strict: true,
  });
  const accounts = positiveInteger('accounts', values.accounts, 20);
  const limitedAccounts = positiveInteger('limited-accounts', values['limited-accounts'], Math.max(1, Math.floor(accounts / 4)));
  if (limitedAccounts > accounts) throw new Error(`--limited-accounts (${limitedAccounts}) cannot exceed --accounts (${accounts})`);
  return {
    accounts,
    posts: positiveInteger('posts', values.posts, 200),
    leadSec: positiveInteger('lead-sec', values['lead-sec'], 20),
    media: !values['no-media'],
    rateLimit: !values['no-rate-limit'],
    limitedAccounts,
    limitSec: positiveInteger('limit-sec', values['limit-sec'], 10),
    setupConcurrency: positiveInteger('setup-concurrency', values['setup-concurrency'], 8),
    timeoutSec: positiveInteger('timeout-sec', values['timeout-sec'], 180),
    dbBackend: dbBackend(values['db-backend']),
    workerProfile: values['worker-profile'],
    tetherWorkers: positiveInteger('tether-workers', values['tether-workers'], 1),
    bursts: positiveInteger('bursts', values.bursts, 3),
  };
}
