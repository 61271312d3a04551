import type { Config } from '../../config/index.js';

// The plans as configuration defines them (`PLANS`, `DEFAULT_PLAN`, `PLAN_SELF_SERVE`).

export interface PlanView {
  id: string;
  label: string;
  limit: number;
}

export type PlansConfig = Config['plans'];

export function planLabel(id: string): string {
  return id
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/** Every configured plan, smallest limit first. */
export function listPlans(plans: PlansConfig): PlanView[] {
  return Object.entries(plans.limits)
    .map(([id, limit]) => ({ id, label: planLabel(id), limit }))
    .sort((a, b) => a.limit - b.limit || a.id.localeCompare(b.id));
}

/** A plan removed from configuration allows nothing new (its users keep what they connected). */
export function limitOf(plans: PlansConfig, planId: string): number {
  return plans.limits[planId] ?? 0;
}

export function isPlan(plans: PlansConfig, planId: string): boolean {
  return Object.hasOwn(plans.limits, planId);
}
