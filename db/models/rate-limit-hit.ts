import { Schema, type Connection } from 'mongoose';

// One counted request (e.g. a failed login) under a rate-limit key. Each hit is its own insert —
// inserts are atomic on MongoDB and FerretDB alike, where conditional `$inc` updates on FerretDB
// are not — so every web instance sees the same count. Old hits are swept on an interval (no TTL
// index: FerretDB has none).

export interface RateLimitHit {
  key: string;
  at: Date;
}

const rateLimitHitSchema = new Schema<RateLimitHit>(
  {
    key: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'rate_limit_hits', versionKey: false },
);
rateLimitHitSchema.index({ key: 1, at: -1 });
rateLimitHitSchema.index({ at: 1 });

export function rateLimitHitModel(connection: Connection) {
  return connection.model<RateLimitHit>('RateLimitHit', rateLimitHitSchema);
}
