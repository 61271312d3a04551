import { Schema, type Connection } from 'mongoose';
import { PLATFORM_IDS, type PlatformId, type PostChoices } from '../../platforms/types.js';
import { postChoicesSchema, postMediaSchema, type PostMedia } from './post.js';
import type { StoredReason } from './reason.js';

// One post's delivery to one account: `_id` is `<postId>:<accountId>`, so every write is a point
// update and the idempotency key sent to the platform derives from it. A waiting target carries a
// copy of what it will publish (`content`), so publishing reads one document, not two.

export const TARGET_STATES = ['scheduled', 'publishing', 'published', 'failed', 'canceled'] as const;
export type TargetState = (typeof TARGET_STATES)[number];

/** What a target publishes, copied from its post when the post is stored or edited. */
export interface TargetContent {
  text: string;
  media?: PostMedia[];
}

export interface PostTarget {
  _id: string;
  postId: string;
  accountId: string;
  ownerId: string;
  penNameId: string;
  platform: PlatformId;
  handle: string;
  boardId?: string;
  /** What the person chose where the platform requires it (TikTok privacy level, music). */
  choices?: PostChoices;
  /**
   * The post's text and media as of its last write; absent on targets stored before the copy
   * existed and while an edit is being written (publishing then reads the post).
   */
  content?: TargetContent;
  state: TargetState;
  dueAt: Date;
  /** Set once the account's workflow accepted the target into its queue. */
  queuedAt?: Date;
  reason?: StoredReason;
  externalId?: string;
  url?: string;
  publishedAt?: Date;
  /** Publish calls made for this target (a retried activity counts again). */
  attempts: number;
  updatedAt: Date;
}

const targetSchema = new Schema<PostTarget>(
  {
    _id: { type: String, required: true },
    postId: { type: String, required: true, index: true },
    accountId: { type: String, required: true, index: true },
    ownerId: { type: String, required: true },
    penNameId: { type: String, required: true, index: true },
    platform: { type: String, enum: PLATFORM_IDS, required: true },
    handle: { type: String, required: true },
    boardId: String,
    choices: { type: postChoicesSchema },
    content: { type: new Schema<TargetContent>({ text: { type: String, required: true }, media: { type: [postMediaSchema], default: undefined } }, { _id: false }) },
    state: { type: String, enum: TARGET_STATES, required: true },
    dueAt: { type: Date, required: true },
    queuedAt: Date,
    reason: { type: new Schema({ code: String, message: String }, { _id: false }) },
    externalId: String,
    url: String,
    publishedAt: Date,
    attempts: { type: Number, required: true, default: 0 },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'post_targets', versionKey: false },
);

export const targetIdOf = (postId: string, accountId: string) => `${postId}:${accountId}`;

export function postTargetModel(connection: Connection) {
  return connection.model<PostTarget>('PostTarget', targetSchema);
}
