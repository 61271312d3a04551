import type { Models } from '../../db/models/index.js';
import { claimSlot, type SlotClaim } from '../../db/plan-slots.js';
import { findUserPlan } from '../../db/users.js';
import { limitOf, type PlansConfig } from './catalog.js';

/** Claims a connected-account slot under the limit of the user's current plan (db/plan-slots.ts). */
export async function claimSlotForPlan(models: Models, plans: PlansConfig, input: { ownerId: string; holder: string; now?: Date }): Promise<SlotClaim> {
  const user = await findUserPlan(models, { userId: input.ownerId });
  if (!user) throw new Error(`no user ${input.ownerId}`);
  return claimSlot(models, { ...input, limit: limitOf(plans, user.plan) });
}
