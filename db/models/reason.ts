import { Schema } from 'mongoose';

/** Why a post target is as it is, as pages show it: a stable code for logic and templates, a sentence for people. */
export interface StoredReason {
  code: string;
  message: string;
}

/**
 * Why an account is as it is, as its workflow recorded it: a code and the facts pages phrase in the
 * reader's time zone (the moment it is about, a count, the platform's words, the reason it wraps).
 * Documents written before reasons were structured hold `{ code, message }` instead.
 */
export interface StoredStatusReason {
  code: string;
  at?: Date;
  count?: number;
  detail?: string;
  cause?: StoredStatusReason;
  message?: string;
}

export const statusReasonSchema = new Schema<StoredStatusReason>({ code: { type: String, required: true }, at: Date, count: Number, detail: String, message: String }, { _id: false });
statusReasonSchema.add({ cause: statusReasonSchema });
