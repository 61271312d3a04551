import { randomUUID } from 'node:crypto';
import type { Account, AccountStatus } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import type { PlanSlot } from '../../db/models/plan-slot.js';
import { PAGE_PLATFORMS } from '../../web/connections/page-model.js';
import { hashPassword } from '../../services/auth/passwords.js';
import { slotHolderFor } from '../../db/models/plan-slot.js';
import { BENCH_PLAN } from './stack.js';

// Unmeasured setup, straight into MongoDB: one user with a password (they log in through the real
// route), one pen name, and its connected accounts with status projections in varied states, as
// their workflows would have written them. No workflow is needed: the page reads MongoDB only.

export interface BenchUser {
  userId: string;
  penNameId: string;
  email: string;
  password: string;
}

export async function createBenchUser(models: Models): Promise<BenchUser> {
  const email = `bench-web-${Date.now()}@example.test`;
  const password = randomUUID();
  const user = await models.User.create({ email, name: 'Benchmark Writer', passwordHash: await hashPassword(password), plan: BENCH_PLAN });
  const penName = await models.PenName.create({ ownerId: user._id, name: 'Benchmark' });
  return { userId: String(user._id), penNameId: String(penName._id), email, password };
}

const DAY_MS = 24 * 3600 * 1000;

/** Account i's status projection: mostly active, some with trouble, expiring, expired, or still connecting. */
function statusOf(i: number, now: Date): AccountStatus | undefined {
  const base = { queuePaused: false, sequence: 3, updatedAt: now };
  switch (i % 10) {
    case 6:
      return { ...base, state: 'active', reason: { code: 'rateLimited', message: 'The platform is rate-limiting until 14:05, retrying' } };
    case 7:
      return { ...base, state: 'expiring', tokenExpiresAt: new Date(now.getTime() + 5 * DAY_MS), warningDeadline: new Date(now.getTime() + 5 * DAY_MS) };
    case 8:
      return { ...base, state: 'expired', queuePaused: true, reason: { code: 'refresh_token_invalid', message: 'The platform no longer accepts this connection’s refresh token' } };
    case 9:
      return undefined;
    default:
      return { ...base, state: 'active', tokenExpiresAt: new Date(now.getTime() + 2 * 3600 * 1000), nextAction: 'renew', nextActionAt: new Date(now.getTime() + 3600 * 1000) };
  }
}

/** Adds accounts `from`..`to - 1` to the pen name, each holding one plan slot, as a connect leaves them. */
export async function seedAccounts(models: Models, user: BenchUser, from: number, to: number): Promise<void> {
  const now = new Date();
  const accounts: Account[] = [];
  const slots: PlanSlot[] = [];
  for (let i = from; i < to; i++) {
    const platform = PAGE_PLATFORMS[i % PAGE_PLATFORMS.length]!;
    const externalId = `bench-${i}`;
    const status = statusOf(i, now);
    accounts.push({
      _id: randomUUID(),
      ownerId: user.userId,
      penNameId: user.penNameId,
      platform,
      externalId,
      handle: `bench_${platform}_${i}`,
      displayName: `Bench ${platform} ${i}`,
      ...(i % 3 === 0 ? { avatarUrl: `https://example.test/avatars/${i}.png` } : {}),
      meta: {},
      ...(platform === 'x' && i % 2 === 0 ? { premium: { subscriptionType: 'Premium' as const, verifiedType: 'blue', checkedAt: now } } : {}),
      connectedAt: new Date(now.getTime() - (to - i) * 1000),
      ...(status ? { status } : {}),
    });
    slots.push({ _id: `${user.userId}:${i}`, ownerId: user.userId, slot: i, holder: slotHolderFor({ penNameId: user.penNameId, platform, externalId }), claimedAt: now });
  }
  await models.Account.insertMany(accounts);
  await models.PlanSlot.insertMany(slots);
}
