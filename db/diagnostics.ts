import type { Models } from './models/index.js';
import type { Diagnostic } from './models/diagnostic.js';

/** The record a system check's activity wrote, if it has. */
export async function findDiagnostic(models: Models, checkId: string): Promise<Diagnostic | undefined> {
  return (await models.Diagnostic.findOne({ checkId }).lean()) ?? undefined;
}

/** Deletes the records written before `before` (no TTL indexes on FerretDB); answers how many. */
export async function deleteDiagnosticsBefore(models: Models, before: Date): Promise<number> {
  return (await models.Diagnostic.deleteMany({ writtenAt: { $lt: before } })).deletedCount;
}
