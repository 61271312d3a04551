import { parseArgs } from 'node:util';
import { positiveInteger } from '../shared/options.js';

// Command-line options of `npm run bench -- startup`.

export interface StartupOptions {
  /** Rounds; each starts every variant once, in turn. */
  rounds: number;
  /** Seconds each worker idles after it polls, before its memory is read. */
  settleSec: number;
}

export const STARTUP_USAGE = `npm run bench -- startup [options]

  --rounds N       rounds, each starting every worker variant once in turn (default 3)
  --settle-sec S   seconds a worker idles after it polls before its RSS is read (default 10)`;

export function parseStartupOptions(argv: string[]): StartupOptions {
  const { values } = parseArgs({ args: argv, options: { rounds: { type: 'string' }, 'settle-sec': { type: 'string' } }, strict: true });
  return { rounds: positiveInteger('rounds', values.rounds, 3), settleSec: positiveInteger('settle-sec', values['settle-sec'], 10) };
}
