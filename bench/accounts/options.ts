import { parseArgs } from 'node:util';
import { positiveInteger } from '../shared/options.js';

// Command-line options of `npm run bench -- accounts`.

export interface AccountsOptions {
  /** Collection sizes measured, ascending. */
  sizes: number[];
  /** Timed operations of each kind per size. */
  samples: number;
}

export const ACCOUNTS_USAGE = `npm run bench -- accounts [options]

  One account write as the accounts collection grows, on the benchmark's own database server: the
  connect's account upsert (upsertConnectedAccount: identity read and insert, the findAndModify
  upsert by _id), a reconnect of a stored account and a point read, alone and while the worker's
  account gauges are read (readAccountCounts, every minute in the worker), beside the gauges read
  the way they were before (a count per state and a find). As many post targets are stored: a
  post's cancel of three targets, now (a claim, read and write by _id each) against before ($in).

  --sizes A,B,...  accounts stored when measuring (default 1000,10000)
  --samples N      operations of each kind per size (default 30)`;

export function parseAccountsOptions(argv: string[]): AccountsOptions {
  const { values } = parseArgs({ args: argv, options: { sizes: { type: 'string' }, samples: { type: 'string' } }, strict: true });
  const sizes = (values.sizes ?? '1000,10000').split(',').map((raw) => positiveInteger('sizes', raw.trim(), 0));
  return { sizes: [...sizes].sort((a, b) => a - b), samples: positiveInteger('samples', values.samples, 30) };
}
