import type { Models } from './models/index.js';
import type { Diagnostic } from './models/diagnostic.js';
import { withDatabaseRetry } from './retry.js';

/** The record a system check's activity wrote, if it has. */
export async function findDiagnostic(models: Models, checkId: string): Promise<Diagnostic | undefined> {
  return (await models.Diagnostic.findOne({ checkId }).lean()) ?? undefined;
}

/** Writes the record of one system check; an upsert keyed by its id, so a retried activity writes it once. */
export async function recordDiagnostic(models: Models, input: { checkId: string; workflowId: string; writtenBy: string; writtenAt: Date }): Promise<void> {
  await withDatabaseRetry(() => models.Diagnostic.updateOne({ checkId: input.checkId }, { $setOnInsert: input }, { upsert: true }));
}

/** Deletes the records written before `before` (no TTL indexes on FerretDB); answers how many. */
export async function deleteDiagnosticsBefore(models: Models, before: Date): Promise<number> {
  return (await models.Diagnostic.deleteMany({ writtenAt: { $lt: before } })).deletedCount;
}
