import type { Models } from './models/index.js';
import type { PenName } from './models/pen-name.js';
import { countConnectedAccounts } from './accounts.js';
import { isDuplicateKey } from './duplicate-key.js';
import { withDatabaseRetry } from './retry.js';

// A user's pen names. Every query carries the owner, so one user can never reach another's.

export type PenNameWrite = { ok: true; penName: PenName } | { ok: false; problem: 'taken' | 'not-found' };

export async function listPenNames(models: Models, ownerId: string): Promise<PenName[]> {
  return models.PenName.find({ ownerId }).sort({ createdAt: 1, name: 1 }).lean();
}

export async function findPenName(models: Models, ownerId: string, penNameId: string): Promise<PenName | undefined> {
  const penName = await models.PenName.findById(penNameId).lean();
  return penName && penName.ownerId === ownerId ? penName : undefined;
}

export async function createPenName(models: Models, ownerId: string, name: string): Promise<PenNameWrite> {
  try {
    const created = await models.PenName.create({ ownerId, name });
    return { ok: true, penName: created.toObject() };
  } catch (error) {
    if (isDuplicateKey(error)) return { ok: false, problem: 'taken' };
    throw error;
  }
}

export async function renamePenName(models: Models, ownerId: string, penNameId: string, name: string): Promise<PenNameWrite> {
  try {
    const updated = await models.PenName.findOneAndUpdate({ _id: penNameId, ownerId }, { $set: { name } }, { returnDocument: 'after' }).lean();
    return updated ? { ok: true, penName: updated } : { ok: false, problem: 'not-found' };
  } catch (error) {
    if (isDuplicateKey(error)) return { ok: false, problem: 'taken' };
    throw error;
  }
}

export type PenNameRemoval = { ok: true } | { ok: false; problem: 'not-found' | 'last' | 'has-accounts'; accounts?: number };

/** A pen name goes only when it is not the user's last and has no connected accounts. */
export async function removePenName(models: Models, ownerId: string, penNameId: string): Promise<PenNameRemoval> {
  const penName = await findPenName(models, ownerId, penNameId);
  if (!penName) return { ok: false, problem: 'not-found' };
  if ((await models.PenName.countDocuments({ ownerId })) <= 1) return { ok: false, problem: 'last' };
  const accounts = await countConnectedAccounts(models, { ownerId, penNameId });
  if (accounts > 0) return { ok: false, problem: 'has-accounts', accounts };
  await models.PenName.deleteOne({ _id: penNameId, ownerId });
  return { ok: true };
}

/** Every user has at least one pen name; one is made (named after the user) if none exists. */
export async function ensurePenNames(models: Models, owner: { id: string; name: string }): Promise<PenName[]> {
  const existing = await listPenNames(models, owner.id);
  if (existing.length > 0) return existing;
  await createPenName(models, owner.id, owner.name); // a concurrent request may have made it: either way it exists now
  return listPenNames(models, owner.id);
}

/** The pen name's name, when it is one of the owner's. */
export async function penNameOf(models: Models, ownerId: string, penNameId: string): Promise<{ id: string; name: string } | undefined> {
  const penName = await models.PenName.findById(penNameId, { ownerId: 1, name: 1 }).lean();
  return penName && penName.ownerId === ownerId ? { id: penNameId, name: penName.name } : undefined;
}

/** The name of a pen name, whoever owns it (a point read); undefined once it is deleted. */
export async function penNameName(models: Models, penNameId: string): Promise<string | undefined> {
  return (await withDatabaseRetry(() => models.PenName.findById(penNameId, { name: 1 }).lean()))?.name;
}
