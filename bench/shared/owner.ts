import type { Models } from '../../db/models/index.js';

// The platform the benchmarks connect accounts on, and the owner (user and pen name) they belong to.

export const PLATFORM = 'x' as const;

export interface BenchOwner {
  ownerId: string;
  penNameId: string;
  penName: string;
}

export async function createOwner(models: Models): Promise<BenchOwner> {
  const user = await models.User.create({ email: `bench-${Date.now()}@example.test`, name: 'Benchmark Owner', plan: 'agency' });
  const penName = await models.PenName.create({ ownerId: user._id, name: 'Benchmark' });
  return { ownerId: String(user._id), penNameId: String(penName._id), penName: penName.name };
}
