import { parseArgs } from 'node:util';
import { positiveInteger } from '../shared/options.js';

// Command-line options of `npm run bench -- web`.

export interface WebOptions {
  /** Connected accounts of the one pen name, measured in this order (the pen name grows between sizes). */
  sizes: number[];
  /** Timed requests per route and size, sent one after another. */
  requests: number;
  /** Untimed requests per route before each size's timed ones. */
  warmup: number;
  /** Renders per size whose MongoDB commands are counted (separately from the timed ones). */
  countedRenders: number;
  /** Timeline events of one account, measured in this order on its account page. */
  eventSizes: number[];
}

export const WEB_USAGE = `npm run bench -- web [options]

  --sizes A,B,C        accounts of one pen name (default 10,100,1000)
  --requests N         timed requests per route and size, sequential (default 200)
  --warmup N           untimed requests per route before each size (default 50)
  --counted-renders N  renders per size whose MongoDB commands are counted (default 5)
  --events A,B         timeline events of one account for the account page (default 100,10000)`;

export function parseWebOptions(argv: string[]): WebOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      requests: { type: 'string' },
      warmup: { type: 'string' },
      'counted-renders': { type: 'string' },
      events: { type: 'string' },
    },
    strict: true,
  });
  const sizes = increasing('sizes', values.sizes ?? '10,100,1000');
  return {
    sizes,
    requests: positiveInteger('requests', values.requests, 200),
    warmup: positiveInteger('warmup', values.warmup, 50),
    countedRenders: positiveInteger('counted-renders', values['counted-renders'], 5),
    eventSizes: increasing('events', values.events ?? '100,10000'),
  };
}

/** A comma-separated list of sizes that grow from one to the next (what is measured is added to, never rebuilt). */
function increasing(name: string, raw: string): number[] {
  const sizes = raw.split(',').map((part) => positiveInteger(name, part.trim(), 0));
  if (sizes.some((size, i) => i > 0 && size <= (sizes[i - 1] as number))) throw new Error(`--${name} must increase (each size adds to the one before)`);
  return sizes;
}
