import { pathToFileURL } from 'node:url';
import type { Config } from '../config/index.js';
import { connectDatabase } from '../db/connection.js';
import { createModels, type Models } from '../db/models/index.js';
import { changePlan } from '../services/plans/change-plan.js';
import { listPlans, planLabel } from '../services/plans/catalog.js';
import { rotateTokenKey, type RotationProgress } from '../services/token-key-rotation.js';

// Operator commands against Tether's database: `npm run admin -- <command> ...`.
// There is no payment processor; plans are changed here (or on the Billing page when
// PLAN_SELF_SERVE is on).

const USAGE = `Usage: npm run admin -- <command>

Commands:
  set-plan <email> <plan>   Put a user on a plan (one of the PLANS configuration).
                            A plan smaller than the user's connected accounts is applied
                            anyway; no new account can connect until they are under it.
  plans                     List the configured plans and their limits.
  rotate-key                Re-seal every stored token with TOKEN_ENCRYPTION_KEY. Put the
                            previous key in TOKEN_ENCRYPTION_OLD_KEYS first; drop it once
                            this reports nothing left.
`;

const progressLine = (p: RotationProgress) =>
  `re-sealed ${p.resealed + p.changed}/${p.total}${p.changed ? ` (${p.changed} already renewed)` : ''}${p.unreadable ? `, ${p.unreadable} unreadable` : ''}`;

export interface AdminIo {
  out(line: string): void;
  err(line: string): void;
}

/** Runs one command; answers the process exit code (0 done, 1 refused, 2 usage). */
export async function runAdmin(args: string[], deps: { models: Models; config: Config; io: AdminIo }): Promise<number> {
  const { io, config } = deps;
  const [command, ...rest] = args;
  if (command === 'plans' && rest.length === 0) {
    for (const plan of listPlans(config.plans)) {
      io.out(`${plan.id.padEnd(12)} ${String(plan.limit).padStart(4)} connected accounts${plan.id === config.plans.defaultPlan ? '  (default)' : ''}`);
    }
    return 0;
  }
  if (command === 'set-plan' && rest.length === 2) {
    const [email, plan] = rest as [string, string];
    const change = await changePlan(deps.models, config.plans, { email, plan, allowOverLimit: true });
    if (!change.ok) {
      io.err(change.message);
      return 1;
    }
    io.out(`${email.trim().toLowerCase()}: ${planLabel(change.from)} -> ${planLabel(change.to)} (up to ${change.limit} connected accounts; ${change.used} connected)`);
    if (change.used > change.limit) io.err(`Warning: ${change.used - change.limit} more connected than the plan allows; no new account can connect until they are under it.`);
    return 0;
  }
  if (command === 'rotate-key' && rest.length === 0) {
    const result = await rotateTokenKey({ models: deps.models, keys: config.tokenEncryptionKey, onProgress: (p) => io.out(progressLine(p)) });
    if (result.unreadable > 0) {
      io.err(`${result.unreadable} stored credentials were sealed with a key that is not configured; add it to TOKEN_ENCRYPTION_OLD_KEYS and run again, or reconnect those accounts.`);
      return 1;
    }
    io.out(result.remaining === 0 ? 'Every stored token is sealed with the current key; older keys can be removed from TOKEN_ENCRYPTION_OLD_KEYS.' : `${result.remaining} still sealed with an older key (written meanwhile); run again.`);
    return result.remaining === 0 ? 0 : 1;
  }
  io.err(USAGE);
  return 2;
}

// Run as a program (tsx tools/admin.ts, or node dist/tools/admin.js in the image), not when imported.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { configFromEnvironment } = await import('../config/index.js');
  const config = configFromEnvironment();
  const io: AdminIo = { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) };
  let code = 1;
  try {
    const connection = await connectDatabase(config.mongo.uri);
    try {
      code = await runAdmin(process.argv.slice(2), { models: createModels(connection), config, io });
    } finally {
      await connection.close();
    }
  } catch (error) {
    io.err(`admin: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(code);
}
