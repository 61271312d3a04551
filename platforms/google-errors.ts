// Google API error bodies: {"error":{"code":403,"message","errors":[{"reason":"quotaExceeded","domain"}],"status"}}.

import { asRecord, asString } from './errors.js';

export function googleErrorReasons(body: unknown): string[] {
  const error = asRecord(asRecord(body)?.error);
  const errors = Array.isArray(error?.errors) ? error.errors : [];
  const reasons = errors.map((e) => asString(asRecord(e)?.reason)).filter((r): r is string => r !== undefined);
  const status = asString(error?.status);
  return status ? [...reasons, status] : reasons;
}
