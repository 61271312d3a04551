import { z } from 'zod';
import type { PostChoices } from '../../platforms/types.js';
import { fieldErrors, type FieldErrors } from '../respond.js';
import { futureInstantOf, isTimeZone, LOCAL_TIME_PATTERN } from './time.js';
import { altField, MEDIA_SLOTS } from './uploads.js';

// The compose and edit forms as posted: the text and time every post has, and on compose the
// accounts chosen (with a Pinterest board each). The media fields are read by media-input.ts.
// Errors are one message per field.

export const POST_FIELD_LABELS = { text: 'Text', accountIds: 'Accounts', when: 'When', publishAt: 'Publish at', timeZone: 'Time zone' };

/** A time this far in the past still counts as "now" (the form took a moment to submit). */
export const PAST_GRACE_MS = 60_000;

/** Longest text accepted before any platform's own limit (X Premium allows 25,000). */
const MAX_TEXT = 30_000;

const blankAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const textBody = z.object({
  text: z
    .string({ message: 'write the post' })
    .max(MAX_TEXT, { message: `must be at most ${MAX_TEXT.toLocaleString('en-US')} characters` })
    .refine((text) => text.trim() !== '', { message: 'write the post' }),
});

const timeBody = z.object({
  when: z.enum(['now', 'later'], { message: 'choose Publish now or Schedule' }).default('later'),
  publishAt: z.preprocess(blankAsUndefined, z.string().regex(LOCAL_TIME_PATTERN, { message: 'enter a date and time' }).optional()),
  timeZone: z.string({ message: 'is required' }).max(100).refine(isTimeZone, { message: 'choose a time zone from the list' }),
});

const targetsBody = z.object({
  accountIds: z
    .union([z.string(), z.array(z.string())], { message: 'choose at least one account' })
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .pipe(z.array(z.string().min(1).max(100)).min(1, { message: 'choose at least one account' }).max(50, { message: 'choose at most 50 accounts' }))
    .transform((ids) => [...new Set(ids)]),
});

export interface PostContent {
  text: string;
  timeZone: string;
  publishAt: Date;
  publishNow: boolean;
}

export interface ComposeInput extends PostContent {
  accountIds: string[];
  /** Board chosen (or typed) per Pinterest account. */
  boards: Record<string, string>;
  /** What was chosen per account where the platform requires a choice (TikTok). */
  choices: Record<string, PostChoices>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** The form as typed, to show it again (never trusted). */
export interface FormValues {
  text: string;
  /** Alt text typed per file field, and the media URL with its alt text (files cannot be shown again). */
  alts: string[];
  mediaUrl: string;
  mediaUrlAlt: string;
  accountIds: string[];
  boards: Record<string, string>;
  when: string;
  publishAt: string;
  timeZone: string;
  choices?: Record<string, PostChoices>;
}

const stringOf = (value: unknown) => (typeof value === 'string' ? value : '');

export function formValuesOf(body: Record<string, unknown>): FormValues {
  const ids = body.accountIds;
  const accountIdList = (Array.isArray(ids) ? ids : [ids]).filter((id): id is string => typeof id === 'string');
  const boards = Object.fromEntries(
    Object.entries(body)
      .filter(([key, value]) => key.startsWith('board-') && typeof value === 'string')
      .map(([key, value]) => [key.slice('board-'.length), value as string]),
  );
  return {
    text: stringOf(body.text),
    alts: Array.from({ length: MEDIA_SLOTS }, (_, slot) => stringOf(body[altField(slot)])),
    mediaUrl: stringOf(body.mediaUrl),
    mediaUrlAlt: stringOf(body.mediaUrlAlt),
    accountIds: accountIdList,
    boards,
    when: stringOf(body.when) || 'later',
    publishAt: stringOf(body.publishAt),
    timeZone: stringOf(body.timeZone),
    choices: choicesOf(body, accountIdList),
  };
}

/** Field names of an account's platform choices (views/partials/post-choices.ejs). */
export const choiceFields = (accountId: string) => ({ privacy: `privacy-${accountId}`, consent: `consent-${accountId}`, music: `music-${accountId}` });

/** The platform choices made per account (`privacy-<id>`, `consent-<id>`, `music-<id>`); accounts without any are left out. */
export function choicesOf(body: Record<string, unknown>, accountIds: string[]): Record<string, PostChoices> {
  const chosen: Record<string, PostChoices> = {};
  for (const id of accountIds) {
    const fields = choiceFields(id);
    const privacy = stringOf(body[fields.privacy]).trim();
    const musicConsent = body[fields.consent] === 'yes';
    const autoAddMusic = body[fields.music] === 'yes';
    if (!privacy && !musicConsent && !autoAddMusic) continue;
    chosen[id] = { ...(/^[A-Za-z_]{1,40}$/.test(privacy) ? { privacyLevel: privacy } : {}), musicConsent, autoAddMusic };
  }
  return chosen;
}

const PUBLISH_AT_WORDING = {
  missing: 'enter a date and time, or choose Publish now',
  past: 'that time has passed; choose a time in the future or Publish now',
};

/** "Now", or a wall-clock time in the chosen zone that exists there and has not passed. */
function instantFor(time: z.infer<typeof timeBody>, now: Date): Parsed<{ publishAt: Date; publishNow: boolean }> {
  if (time.when === 'now') return { ok: true, value: { publishAt: now, publishNow: true } };
  const instant = futureInstantOf(time.publishAt, time.timeZone, now, PUBLISH_AT_WORDING, PAST_GRACE_MS);
  if (!instant.ok) return { ok: false, errors: { publishAt: `${POST_FIELD_LABELS.publishAt}: ${instant.message}` } };
  return { ok: true, value: { publishAt: instant.at, publishNow: false } };
}

/** Text and time, with every problem found in one pass. */
export function parseEditForm(body: unknown, now: Date): Parsed<PostContent> {
  const input = body ?? {};
  const errors: FieldErrors = {};
  const text = textBody.safeParse(input);
  if (!text.success) Object.assign(errors, fieldErrors(text.error, POST_FIELD_LABELS));
  const time = timeBody.safeParse(input);
  if (!time.success) Object.assign(errors, fieldErrors(time.error, POST_FIELD_LABELS));
  const instant = time.success ? instantFor(time.data, now) : undefined;
  if (instant && !instant.ok) Object.assign(errors, instant.errors);
  if (!text.success || !time.success || !instant?.ok) return { ok: false, errors };
  return { ok: true, value: { text: text.data.text, timeZone: time.data.timeZone, ...instant.value } };
}

export function parseComposeForm(body: unknown, now: Date): Parsed<ComposeInput> {
  const input = (body ?? {}) as Record<string, unknown>;
  const content = parseEditForm(input, now);
  const targets = targetsBody.safeParse(input);
  if (!content.ok || !targets.success) {
    return { ok: false, errors: { ...(content.ok ? {} : content.errors), ...(targets.success ? {} : fieldErrors(targets.error, POST_FIELD_LABELS)) } };
  }
  const boards = Object.fromEntries(
    targets.data.accountIds.flatMap((id) => {
      const board = input[`board-${id}`];
      return typeof board === 'string' && board.trim() !== '' ? [[id, board.trim().slice(0, 200)]] : [];
    }),
  );
  return { ok: true, value: { ...content.value, accountIds: targets.data.accountIds, boards, choices: choicesOf(input, targets.data.accountIds) } };
}

export const STATUS_FILTERS = ['scheduled', 'paused', 'publishing', 'published', 'failed'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export const listQuery = z.object({ status: z.enum(STATUS_FILTERS, { message: `must be one of ${STATUS_FILTERS.join(', ')}` }).optional() });
