import { parseArgs } from 'node:util';
import { PLATFORM_IDS, type PlatformId } from '../../platforms/types.js';
import { positiveInteger } from '../shared/options.js';

// Command-line options of `npm run bench -- cost`.

export type CostVariant = 'idle' | 'posts';

export interface CostOptions {
  days: number;
  accountsPerPlatform: number;
  platforms: PlatformId[];
  variants: CostVariant[];
  /** Hour of each simulated day a post is due at, in the posts variant (scheduled at the start of the day). */
  postHour: number;
}

/** Platforms a text post (with an image where one is required) can go out on; YouTube has no text posts. */
export const PUBLISHING_PLATFORMS: readonly PlatformId[] = PLATFORM_IDS.filter((id) => id !== 'youtube');

export const COST_USAGE = `npm run bench -- cost [options]

  Idle accounts of every platform policy on Temporal's time-skipping test server (real activities,
  the sandbox, the embedded database), for simulated days; then the same with one post a day.

  --days D                  simulated days (default 30)
  --accounts A              accounts per platform (default 1)
  --platforms p,q           platforms (default all nine: ${PLATFORM_IDS.join(',')})
  --variant idle|posts|both which runs (default both; posts skips YouTube, which has no text posts)
  --post-hour H             the daily post is due H hours into each day (default 12)`;

export function parseCostOptions(argv: string[]): CostOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      days: { type: 'string' },
      accounts: { type: 'string' },
      platforms: { type: 'string' },
      variant: { type: 'string' },
      'post-hour': { type: 'string' },
    },
    strict: true,
  });
  const platforms = (values.platforms?.split(',').map((p) => p.trim()) ?? [...PLATFORM_IDS]) as PlatformId[];
  const unknown = platforms.filter((p) => !PLATFORM_IDS.includes(p));
  if (unknown.length) throw new Error(`--platforms: unknown ${unknown.join(', ')} (known: ${PLATFORM_IDS.join(', ')})`);
  const variant = values.variant ?? 'both';
  if (!['idle', 'posts', 'both'].includes(variant)) throw new Error(`--variant must be idle, posts or both (got "${variant}")`);
  const postHour = positiveInteger('post-hour', values['post-hour'], 12);
  if (postHour >= 24) throw new Error('--post-hour must be below 24');
  return {
    days: positiveInteger('days', values.days, 30),
    accountsPerPlatform: positiveInteger('accounts', values.accounts, 1),
    platforms,
    variants: variant === 'both' ? ['idle', 'posts'] : [variant as CostVariant],
    postHour,
  };
}
