import { describe, expect, it } from 'vitest';
import { threadsLength } from '../../../platforms/post-rules.js';
import type { MediaInfo } from '../../../platforms/types.js';
import { adaptersWith } from './fake-fetch.js';

/** A JPEG at an address on a domain verified for TikTok in these tests. */
const PHOTO: MediaInfo = { kind: 'image', mimeType: 'image/jpeg', bytes: 50_000, width: 1080, height: 1080, url: 'https://i.example/a.jpg' };

const { get } = adaptersWith([]);
const premium = (subscriptionType: 'None' | 'Basic' | 'Premium' | 'PremiumPlus') => ({ premium: { subscriptionType } });

describe('X weighted length', () => {
  const x = get('x');
  it('allows 280 and names the count past it', () => {
    expect(x.validatePost({ text: 'a'.repeat(280) }, {})).toEqual([]);
    expect(x.validatePost({ text: 'a'.repeat(291) }, {})).toEqual(['X allows 280 characters; this post has 291']);
  });

  it('counts any URL as 23', () => {
    const url = `https://example.com/${'p'.repeat(100)}`;
    expect(x.validatePost({ text: `${'a'.repeat(256)} ${url}` }, {})).toEqual([]);
    expect(x.validatePost({ text: `${'a'.repeat(257)} ${url}` }, {})).toEqual(['X allows 280 characters; this post has 281']);
  });

  it('counts emoji as 2', () => {
    expect(x.validatePost({ text: '😀'.repeat(140) }, {})).toEqual([]);
    expect(x.validatePost({ text: '😀'.repeat(141) }, {})).toEqual(['X allows 280 characters; this post has 282']);
  });

  it('allows 25,000 for Basic, Premium and PremiumPlus, 280 for None', () => {
    const long = 'a'.repeat(5_000);
    for (const tier of ['Basic', 'Premium', 'PremiumPlus'] as const) {
      expect(x.validatePost({ text: long }, premium(tier))).toEqual([]);
      expect(x.postRules(premium(tier)).maxLength).toBe(25_000);
    }
    expect(x.validatePost({ text: long }, premium('None'))).toEqual(['X allows 280 characters; this post has 5,000']);
    expect(x.validatePost({ text: 'a'.repeat(25_001) }, premium('Premium'))).toEqual(['X allows 25,000 characters; this post has 25,001']);
  });
});

describe('Bluesky graphemes', () => {
  const bsky = get('bluesky');
  it('counts a family emoji as one', () => {
    const family = '👨‍👩‍👧‍👦';
    expect(bsky.validatePost({ text: family.repeat(300) }, {})).toEqual([]);
    expect(bsky.validatePost({ text: family.repeat(301) }, {})).toEqual(['Bluesky allows 300 characters; this post has 301']);
  });
});

describe('Threads: characters, with each emoji as its UTF-8 bytes', () => {
  const threads = get('threads');
  it('counts 😀 as 4, 👍🏽 as 8, ❤️ as 6, a flag as 8 and a family as its 25 bytes; letters (accented too) as 1', () => {
    expect(threadsLength('😀')).toBe(4);
    expect(threadsLength('👍🏽')).toBe(8);
    expect(threadsLength('❤️')).toBe(6);
    expect(threadsLength('🇫🇷')).toBe(8);
    expect(threadsLength('👨‍👩‍👧‍👦')).toBe(25);
    expect(threadsLength('café 1#')).toBe(7);
  });

  it('emoji-heavy posts that code points would let through are over the limit', () => {
    const text = `${'a'.repeat(480)}${'😀'.repeat(6)}`;
    expect([...text].length).toBe(486);
    expect(threads.validatePost({ text }, {})).toEqual(['Threads allows 500 characters (each emoji counts as its UTF-8 bytes); this post has 504']);
    expect(threads.validatePost({ text: `${'a'.repeat(480)}${'😀'.repeat(5)}` }, {})).toEqual([]);
  });
});

describe('other platforms', () => {
  it('Threads 500, LinkedIn 3,000, Facebook 63,206', () => {
    expect(get('threads').validatePost({ text: 'a'.repeat(501) }, {})).toEqual(['Threads allows 500 characters (each emoji counts as its UTF-8 bytes); this post has 501']);
    expect(get('threads').validatePost({ text: 'a'.repeat(500) }, {})).toEqual([]);
    expect(get('linkedin').validatePost({ text: 'a'.repeat(3_001) }, {})).toEqual(['LinkedIn allows 3,000 characters; this post has 3,001']);
    expect(get('facebook').validatePost({ text: 'a'.repeat(63_206) }, {})).toEqual([]);
    expect(get('facebook').validatePost({ text: 'a'.repeat(63_207) }, {})).toHaveLength(1);
  });

  it('Instagram needs an image and allows a 2,200-character caption', () => {
    const ig = get('instagram');
    expect(ig.validatePost({ text: 'hi' }, {})).toEqual(['Instagram needs an image or a video for every post; add one']);
    expect(ig.validatePost({ text: 'a'.repeat(2_201), media: [PHOTO] }, {})).toEqual(['Instagram allows 2,200 characters; this caption has 2,201']);
  });

  it('Pinterest needs a board and an image, and allows 500 characters', () => {
    const pin = get('pinterest');
    expect(pin.validatePost({ text: 'hi' }, {})).toEqual([
      'Pinterest needs an image for every post; add one',
      'Pinterest needs a board for every Pin; choose a board',
    ]);
    expect(pin.validatePost({ text: 'a'.repeat(501), media: [PHOTO], boardId: 'b' }, {})).toEqual(['Pinterest allows 500 characters; this description has 501']);
  });

  it('TikTok needs a photo or a video', () => {
    expect(get('tiktok').validatePost({ text: 'hi' }, {})[0]).toBe('TikTok needs an image or a video for every post; add one');
    expect(get('tiktok').validatePost({ text: 'hi', media: [PHOTO], choices: { privacyLevel: 'SELF_ONLY', musicConsent: true } }, {})).toEqual([]);
    expect(get('tiktok').validatePost({ text: 'hi', media: [PHOTO] }, {})).toEqual([
      'TikTok requires you to choose who can see this post',
      'TikTok requires you to agree to its Music Usage Confirmation before posting',
    ]);
  });

  it('YouTube needs a video and a privacy choice; the text is the title and description', () => {
    const yt = get('youtube');
    expect(yt.validatePost({ text: 'hi' }, {})).toEqual([
      'YouTube needs a video for every post; add one',
      'YouTube needs you to choose who can see the video (public, unlisted or private)',
    ]);
    const video: MediaInfo = { kind: 'video', mimeType: 'video/mp4', bytes: 90_000, durationSec: 4, width: 360, height: 640 };
    expect(yt.validatePost({ text: 'A title\nand more', media: [video], choices: { privacyLevel: 'unlisted' } }, {})).toEqual([]);
    expect(yt.validatePost({ text: 'A photo', media: [PHOTO], choices: { privacyLevel: 'public' } }, {})).toEqual([
      'YouTube needs a video for every post; add one',
      'YouTube posts from Tether take no images; attach a video instead',
    ]);
  });
});
