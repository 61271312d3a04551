import { describe, expect, it } from 'vitest';
import { isPlan, limitOf, listPlans, planLabel } from '../../../services/plans/catalog.js';

const plans = { limits: { agency: 50, free: 0, 'team-plus': 15, starter: 5 }, defaultPlan: 'free', selfServe: true };

describe('plan catalog', () => {
  it('lists plans smallest first with readable labels', () => {
    expect(listPlans(plans)).toEqual([
      { id: 'free', label: 'Free', limit: 0 },
      { id: 'starter', label: 'Starter', limit: 5 },
      { id: 'team-plus', label: 'Team Plus', limit: 15 },
      { id: 'agency', label: 'Agency', limit: 50 },
    ]);
    expect(planLabel('growth')).toBe('Growth');
  });

  it('gives a plan no longer configured no room, and knows which plans exist', () => {
    expect(limitOf(plans, 'starter')).toBe(5);
    expect(limitOf(plans, 'retired')).toBe(0);
    expect(isPlan(plans, 'agency')).toBe(true);
    expect(isPlan(plans, 'toString')).toBe(false);
  });
});
