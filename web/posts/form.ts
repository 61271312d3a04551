import { z } from 'zod';
import { fieldErrors, type FieldErrors } from '../respond.js';
import { instantOf, isTimeZone, LOCAL_TIME_PATTERN } from './time.js';

// The compose and edit forms as posted: the text, image and time every post has, and on compose
// the accounts chosen (with a Pinterest board each). Errors are one message per field.

export const POST_FIELD_LABELS = { text: 'Text', imageUrl: 'Image URL', accountIds: 'Accounts', when: 'When', publishAt: 'Publish at', timeZone: 'Time zone' };

/** A time this far in the past still counts as "now" (the form took a moment to submit). */
export const PAST_GRACE_MS = 60_000;

/** Longest text accepted before any platform's own limit (X Premium allows 25,000). */
const MAX_TEXT = 30_000;

const blankAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const contentFields = {
  text: z
    .string({ message: 'write the post' })
    .max(MAX_TEXT, { message: `must be at most ${MAX_TEXT.toLocaleString('en-US')} characters` })
    .refine((text) => text.trim() !== '', { message: 'write the post' }),
  imageUrl: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .trim()
      .max(2000, { message: 'is too long' })
      .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), { message: 'must be a public http(s) address, like https://example.com/picture.jpg' })
      .optional(),
  ),
  when: z.enum(['now', 'later'], { message: 'choose Publish now or Schedule' }).default('later'),
  publishAt: z.preprocess(blankAsUndefined, z.string().regex(LOCAL_TIME_PATTERN, { message: 'enter a date and time' }).optional()),
  timeZone: z.string({ message: 'is required' }).max(100).refine(isTimeZone, { message: 'choose a time zone from the list' }),
};

const accountIds = z
  .union([z.string(), z.array(z.string())], { message: 'choose at least one account' })
  .transform((value) => (Array.isArray(value) ? value : [value]))
  .pipe(z.array(z.string().min(1).max(100)).min(1, { message: 'choose at least one account' }).max(50, { message: 'choose at most 50 accounts' }))
  .transform((ids) => [...new Set(ids)]);

const editBody = z.object(contentFields);
const composeBody = z.object({ ...contentFields, accountIds });

export interface PostContent {
  text: string;
  imageUrl?: string;
  timeZone: string;
  publishAt: Date;
  publishNow: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** The form as typed, to show it again (never trusted). */
export interface FormValues {
  text: string;
  imageUrl: string;
  accountIds: string[];
  boards: Record<string, string>;
  when: string;
  publishAt: string;
  timeZone: string;
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
    imageUrl: stringOf(body.imageUrl),
    accountIds: accountIdList,
    boards,
    when: stringOf(body.when) || 'later',
    publishAt: stringOf(body.publishAt),
    timeZone: stringOf(body.timeZone),
  };
}

/** Turns the time fields into an instant: "now", or a wall-clock time in the chosen zone that is not in the past. */
function contentOf(data: z.infer<typeof editBody>, now: Date): Parsed<PostContent> {
  const base = { text: data.text, ...(data.imageUrl ? { imageUrl: data.imageUrl } : {}), timeZone: data.timeZone };
  if (data.when === 'now') return { ok: true, value: { ...base, publishAt: now, publishNow: true } };
  if (!data.publishAt) return { ok: false, errors: { publishAt: `${POST_FIELD_LABELS.publishAt}: enter a date and time, or choose Publish now` } };
  const instant = instantOf(data.publishAt, data.timeZone);
  if (!instant.ok) return { ok: false, errors: { publishAt: `${POST_FIELD_LABELS.publishAt}: ${instant.message}` } };
  if (instant.at.getTime() < now.getTime() - PAST_GRACE_MS) {
    return { ok: false, errors: { publishAt: `${POST_FIELD_LABELS.publishAt}: that time has passed; choose a time in the future or Publish now` } };
  }
  return { ok: true, value: { ...base, publishAt: instant.at, publishNow: false } };
}

export function parseEditForm(body: unknown, now: Date): Parsed<PostContent> {
  const parsed = editBody.safeParse(body ?? {});
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error, POST_FIELD_LABELS) };
  return contentOf(parsed.data, now);
}

export interface ComposeInput extends PostContent {
  accountIds: string[];
  /** Board chosen (or typed) per Pinterest account. */
  boards: Record<string, string>;
}

export function parseComposeForm(body: unknown, now: Date): Parsed<ComposeInput> {
  const parsed = composeBody.safeParse(body ?? {});
  if (!parsed.success) {
    // Report the time too, so one round trip shows every problem.
    const errors = fieldErrors(parsed.error, POST_FIELD_LABELS);
    const time = editBody.safeParse(body ?? {});
    if (time.success && !errors.publishAt) Object.assign(errors, errorsOf(contentOf(time.data, now)));
    return { ok: false, errors };
  }
  const content = contentOf(parsed.data, now);
  if (!content.ok) return content;
  const boards = Object.fromEntries(
    parsed.data.accountIds.flatMap((id) => {
      const board = (body as Record<string, unknown>)[`board-${id}`];
      return typeof board === 'string' && board.trim() !== '' ? [[id, board.trim().slice(0, 200)]] : [];
    }),
  );
  return { ok: true, value: { ...content.value, accountIds: parsed.data.accountIds, boards } };
}

const errorsOf = (parsed: Parsed<unknown>): FieldErrors => (parsed.ok ? {} : parsed.errors);

export const STATUS_FILTERS = ['scheduled', 'paused', 'publishing', 'published', 'failed'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export const listQuery = z.object({ status: z.enum(STATUS_FILTERS, { message: `must be one of ${STATUS_FILTERS.join(', ')}` }).optional() });
