// Measuring post text the way each platform counts it, and the checks every adapter shares.

import twitter from 'twitter-text';
import { checkMedia } from './media-rules.js';
import type { PostDraft, PostRules } from './types.js';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** X's weighted length: URLs count 23, emoji and CJK count 2 (twitter-text's v3 configuration). */
export function weightedLength(text: string): number {
  return twitter.parseTweet(text).weightedLength;
}

export function graphemeLength(text: string): number {
  let count = 0;
  for (const _ of graphemes.segment(text)) count += 1;
  return count;
}

const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;

/**
 * Threads' count: characters, except that an emoji counts as the number of its UTF-8 bytes (4 for
 * 😀, 8 for 👍🏽, more for family sequences). Threads documents this on its Posts page.
 */
export function threadsLength(text: string): number {
  let count = 0;
  for (const { segment } of graphemes.segment(text)) count += EMOJI.test(segment) ? Buffer.byteLength(segment, 'utf8') : [...segment].length;
  return count;
}

/** Unicode code points, the closest common measure of "characters" for the other platforms. */
export function characterLength(text: string): number {
  return [...text].length;
}

export function measure(text: string, unit: PostRules['lengthUnit']): number {
  if (unit === 'weighted') return weightedLength(text);
  if (unit === 'graphemes') return graphemeLength(text);
  if (unit === 'emojiBytes') return threadsLength(text);
  return characterLength(text);
}

const unitWord: Record<PostRules['lengthUnit'], string> = {
  weighted: 'characters',
  graphemes: 'characters',
  characters: 'characters',
  emojiBytes: 'characters (each emoji counts as its UTF-8 bytes)',
};

/**
 * The problems shared by all platforms: a limitation that forbids publishing, length, the media
 * rules and a required board. `textLabel` names the field in messages ("post", "caption", "description").
 */
export function checkPost(platformName: string, rules: PostRules, post: PostDraft, textLabel = 'post'): string[] {
  if (rules.limitation) return [rules.limitation];
  const problems: string[] = [];
  const length = measure(post.text, rules.lengthUnit);
  if (length > rules.maxLength) {
    const unit = unitWord[rules.lengthUnit];
    problems.push(`${platformName} allows ${rules.maxLength.toLocaleString('en-US')} ${unit}; this ${textLabel} has ${length.toLocaleString('en-US')}`);
  }
  const media = post.media ?? [];
  problems.push(...checkMedia(platformName, rules.media, media));
  if (rules.requiresBoard && !post.boardId) problems.push(`${platformName} needs a board for every Pin; choose a board`);
  if (!rules.media.required && post.text.trim() === '' && media.length === 0) problems.push(`The ${textLabel} is empty`);
  return problems;
}
