import { Schema, type Connection } from 'mongoose';
import { PLATFORM_IDS, type PlatformId, type PostChoices } from '../../platforms/types.js';

// A post as the user composed it. Its delivery to each account is a PostTarget (which carries a
// copy of the text and media for publishing); workflows carry nothing but ids and times.

export const POST_KINDS = ['scheduled', 'test'] as const;
export type PostKind = (typeof POST_KINDS)[number];

export interface PostTargetChoice {
  accountId: string;
  platform: PlatformId;
  handle: string;
  /** Pinterest board. */
  boardId?: string;
  /** What the person chose where the platform requires it (TikTok privacy level, music). */
  choices?: PostChoices;
}

/** One media file of a post, in the order given, with the alt text written for it in this post. */
export interface PostMedia {
  mediaId: string;
  kind: 'image' | 'video';
  alt?: string;
}

export const postMediaSchema = new Schema<PostMedia>({ mediaId: { type: String, required: true }, kind: { type: String, required: true }, alt: String }, { _id: false });

/** `PostChoices` as stored with a target (posts and post_targets). */
export const postChoicesSchema = new Schema<PostChoices>({ privacyLevel: String, musicConsent: Boolean, autoAddMusic: Boolean }, { _id: false });

export interface Post {
  _id: string;
  ownerId: string;
  penNameId: string;
  kind: PostKind;
  text: string;
  /** Stored media (GridFS), in order. */
  media?: PostMedia[];
  /** IANA zone the user composed in; times are shown back in it. */
  timeZone: string;
  publishAt: Date;
  targets: PostTargetChoice[];
  /** Set until a PostTarget exists for every entry of `targets`; self-healing finishes a post a crash left without them. */
  targetsPending?: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const targetChoiceSchema = new Schema<PostTargetChoice>(
  {
    accountId: { type: String, required: true },
    platform: { type: String, enum: PLATFORM_IDS, required: true },
    handle: { type: String, required: true },
    boardId: String,
    choices: { type: postChoicesSchema },
  },
  { _id: false },
);

const postSchema = new Schema<Post>(
  {
    _id: { type: String, required: true },
    ownerId: { type: String, required: true },
    penNameId: { type: String, required: true },
    kind: { type: String, enum: POST_KINDS, required: true },
    text: { type: String, required: true },
    media: { type: [postMediaSchema], default: undefined },
    timeZone: { type: String, required: true },
    publishAt: { type: Date, required: true },
    targets: { type: [targetChoiceSchema], required: true },
    targetsPending: Boolean,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'posts', versionKey: false },
);
postSchema.index({ penNameId: 1, publishAt: -1 });

export function postModel(connection: Connection) {
  return connection.model<Post>('Post', postSchema);
}
