// Small constructors for the closed Outcome union, so adapters read as a list of decisions.

import type { Failure, Outcome } from './types.js';

export const ok = <T>(value: T): Outcome<T> => ({ kind: 'ok', value });
export const transient = (message: string): Failure => ({ kind: 'transient', message });
export const rateLimited = (resetAt: string, message: string): Failure => ({ kind: 'rateLimited', resetAt, message });
export const reauthRequired = (code: string, message: string): Failure => ({ kind: 'reauthRequired', code, message });
export const invalid = (message: string): Failure => ({ kind: 'invalid', message });

export function isFailure(value: unknown): value is Failure {
  if (typeof value !== 'object' || value === null || !('kind' in value)) return false;
  const kind = (value as { kind: unknown }).kind;
  return kind === 'transient' || kind === 'rateLimited' || kind === 'reauthRequired' || kind === 'invalid';
}
