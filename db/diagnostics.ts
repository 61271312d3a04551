import type { Models } from './models/index.js';
import type { Diagnostic } from './models/diagnostic.js';

/** The record a system check's activity wrote, if it has. */
export async function findDiagnostic(models: Models, checkId: string): Promise<Diagnostic | undefined> {
  return (await models.Diagnostic.findOne({ checkId }).lean()) ?? undefined;
}
