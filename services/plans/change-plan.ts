import type { Models } from '../../db/models/index.js';
import { slotsUsed } from '../../db/plan-slots.js';
import { findUserPlan, setPlan } from '../../db/users.js';
import { isPlan, limitOf, planLabel, type PlansConfig } from './catalog.js';

// Changing a user's plan: the Billing page's button (when self-serve is on) and the operator's
// `npm run admin -- set-plan`. There is no payment processor; this only records the plan.

export type PlanChange =
  | { ok: true; from: string; to: string; limit: number; used: number }
  | { ok: false; problem: 'unknown-plan' | 'unknown-user' | 'over-limit'; message: string };

export async function changePlan(
  models: Models,
  plans: PlansConfig,
  input: { userId?: string; email?: string; plan: string; allowOverLimit?: boolean },
): Promise<PlanChange> {
  if (!isPlan(plans, input.plan)) {
    return { ok: false, problem: 'unknown-plan', message: `Plan must be one of ${Object.keys(plans.limits).join(', ')}; "${input.plan}" is not.` };
  }
  const user = await findUserPlan(models, input.userId ? { userId: input.userId } : { email: input.email ?? '' });
  if (!user) return { ok: false, problem: 'unknown-user', message: `No user ${input.email ?? input.userId}.` };

  const limit = limitOf(plans, input.plan);
  const used = await slotsUsed(models, user._id);
  if (used > limit && !input.allowOverLimit) {
    return {
      ok: false,
      problem: 'over-limit',
      message: `Plan: ${planLabel(input.plan)} allows ${limit} connected account${limit === 1 ? '' : 's'} and ${used} are connected; disconnect ${used - limit} first.`,
    };
  }
  await setPlan(models, user._id, input.plan);
  return { ok: true, from: user.plan, to: input.plan, limit, used };
}
