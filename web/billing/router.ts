import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import type { Models } from '../../db/models/index.js';
import { requireUser } from '../auth/guards.js';
import { slotsUsed } from '../../db/plan-slots.js';
import { isPlan, limitOf, listPlans, planLabel } from '../../services/plans/catalog.js';
import { changePlan } from '../../services/plans/change-plan.js';
import { fieldErrors, flash, renderPage } from '../respond.js';

// Billing: the current plan, usage against its limit, every plan, and (when self-serve is on)
// a button to change plan. No payment is taken anywhere.

export function billingRouter(deps: { config: Config; models: Models }): Router {
  const router = Router();
  const plans = deps.config.plans;
  const planBody = z.object({
    plan: z.string({ message: 'is required' }).refine((id) => isPlan(plans, id), { message: `must be one of ${Object.keys(plans.limits).join(', ')}` }),
  });

  router.use(requireUser);

  const renderBilling = async (user: Express.User, res: Parameters<typeof renderPage>[0], extra: { errors?: Record<string, string>; status?: number } = {}) => {
    const current = user.plan;
    const used = await slotsUsed(deps.models, user.id);
    const limit = limitOf(plans, current);
    await renderPage(
      res,
      'billing/index',
      {
        title: 'Billing',
        current: { id: current, label: planLabel(current), limit, known: isPlan(plans, current) },
        used,
        plans: listPlans(plans),
        selfServe: plans.selfServe,
        errors: extra.errors ?? {},
      },
      extra.status,
    );
  };

  router.get('/', (req, res) => renderBilling(req.user!, res));

  router.post('/plan', async (req, res) => {
    if (!plans.selfServe) {
      return renderPage(
        res,
        'error',
        { title: 'Not available', heading: 'Plan changes are made by an operator', message: `Write to ${deps.config.web.supportEmail} to change your plan.` },
        403,
      );
    }
    const body = planBody.safeParse(req.body ?? {});
    if (!body.success) return renderBilling(req.user!, res, { errors: fieldErrors(body.error, { plan: 'Plan' }), status: 400 });
    const change = await changePlan(deps.models, plans, { userId: req.user!.id, plan: body.data.plan });
    if (!change.ok) return renderBilling(req.user!, res, { errors: { plan: change.message }, status: change.problem === 'over-limit' ? 409 : 400 });
    flash(req, 'info', change.from === change.to ? `You are on the ${planLabel(change.to)} plan.` : `Your plan is now ${planLabel(change.to)}.`);
    res.redirect(303, '/billing');
  });

  return router;
}

