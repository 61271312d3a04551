import type { Connection } from 'mongoose';
import { diagnosticModel } from './diagnostic.js';

/** Every model bound to one connection; web and activities receive this object. */
export function createModels(connection: Connection) {
  return {
    Diagnostic: diagnosticModel(connection),
  };
}

export type Models = ReturnType<typeof createModels>;
