// What each platform accepts as media (types, sizes, counts, durations, aspect ratios), and the
// check that names the platform and the rule a file breaks. The numbers are the platforms'
// documented limits (platforms/README.md cites each one).

/** A media file as Tether stored it: the type sniffed from its bytes, and what its metadata says. */
export interface MediaInfo {
  kind: 'image' | 'video';
  mimeType: string;
  bytes: number;
  width?: number;
  height?: number;
  durationSec?: number;
  /** Alt text the person wrote for this image in this post. */
  alt?: string;
  /** Where platforms that fetch media will read it (checked against TikTok's verified domains). */
  url?: string;
}

export interface ImageRules {
  maxCount: number;
  /** Sniffed MIME types the platform takes. */
  types: readonly string[];
  maxBytes: number;
  /** Width ÷ height bounds. */
  minAspect?: number;
  maxAspect?: number;
  minWidth?: number;
  /** Longest alt text; undefined when the platform has no alt text. */
  maxAltLength?: number;
}

export interface VideoRules {
  types: readonly string[];
  maxBytes: number;
  minDurationSec: number;
  maxDurationSec: number;
  minAspect?: number;
  maxAspect?: number;
}

export interface MediaRules {
  /** Undefined: the platform (or Tether for it) takes no images. */
  image?: ImageRules;
  /** Undefined: no video. A post carries at most one video. */
  video?: VideoRules;
  /** Images and a video in the same post (a carousel). */
  mixed: boolean;
  /** What every post must carry. */
  required?: 'media' | 'image' | 'video';
}

export const NO_MEDIA: MediaRules = { mixed: false };

export const MB = 1024 * 1024;

const TYPE_NAMES: Record<string, string> = {
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/gif': 'GIF',
  'image/webp': 'WebP',
  'image/bmp': 'BMP',
  'image/tiff': 'TIFF',
  'image/heic': 'HEIC',
  'video/mp4': 'MP4',
  'video/quicktime': 'MOV',
  'video/webm': 'WebM',
};
export const typeName = (mime: string) => TYPE_NAMES[mime] ?? mime;
const list = (types: readonly string[]) => types.map(typeName).join(', ');

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MB) return `${Math.round((bytes / (1024 * MB)) * 10) / 10} GB`;
  if (bytes >= MB) return `${Math.round((bytes / MB) * 10) / 10} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

const seconds = (value: number) => (value >= 120 ? `${Math.round((value / 60) * 10) / 10} min` : `${Math.round(value * 10) / 10} s`);
const ratio = (value: number) => `${Math.round(value * 100) / 100}:1`;

/** Everything wrong with the post's media for one platform, each naming the platform and the rule. */
export function checkMedia(platform: string, rules: MediaRules, media: readonly MediaInfo[]): string[] {
  const images = media.filter((m) => m.kind === 'image');
  const videos = media.filter((m) => m.kind === 'video');
  const problems: string[] = [];
  if (rules.required === 'media' && media.length === 0) problems.push(`${platform} needs an image or a video for every post; add one`);
  if (rules.required === 'image' && images.length === 0) problems.push(`${platform} needs an image for every post; add one`);
  if (rules.required === 'video' && videos.length === 0) problems.push(`${platform} needs a video for every post; add one`);

  if (images.length > 0) {
    const image = rules.image;
    if (!image) problems.push(`${platform} posts from Tether take no images${rules.video ? '; attach a video instead' : ''}`);
    else {
      if (images.length > image.maxCount) problems.push(`${platform} takes at most ${image.maxCount} image${image.maxCount === 1 ? '' : 's'} per post; this post has ${images.length}`);
      images.forEach((file, index) => problems.push(...imageProblems(platform, image, file, images.length > 1 ? `image ${index + 1}` : 'the image')));
    }
  }
  if (videos.length > 0) {
    const video = rules.video;
    if (!video) problems.push(`${platform} posts from Tether take no video${rules.image ? '; attach images instead' : ''}`);
    else {
      if (videos.length > 1) problems.push(`${platform} takes one video per post; this post has ${videos.length}`);
      for (const file of videos) problems.push(...videoProblems(platform, video, file));
    }
  }
  if (images.length > 0 && videos.length > 0 && !rules.mixed && rules.image && rules.video) {
    problems.push(`${platform} does not take images and a video in the same post`);
  }
  return problems;
}

function imageProblems(platform: string, rules: ImageRules, file: MediaInfo, which: string): string[] {
  const problems: string[] = [];
  if (!rules.types.includes(file.mimeType)) problems.push(`${platform} takes ${list(rules.types)} images; ${which} is ${typeName(file.mimeType)}`);
  if (file.bytes > rules.maxBytes) problems.push(`${platform} takes images up to ${formatBytes(rules.maxBytes)}; ${which} is ${formatBytes(file.bytes)}`);
  problems.push(...aspectProblems(platform, 'images', rules, file, which));
  if (rules.minWidth && file.width !== undefined && file.width < rules.minWidth) problems.push(`${platform} takes images at least ${rules.minWidth} pixels wide; ${which} is ${file.width}`);
  // Platforms without alt text publish the image without it.
  if (file.alt && rules.maxAltLength !== undefined && [...file.alt].length > rules.maxAltLength) {
    problems.push(`${platform} takes alt text up to ${rules.maxAltLength} characters; the text for ${which} has ${[...file.alt].length}`);
  }
  return problems;
}

function videoProblems(platform: string, rules: VideoRules, file: MediaInfo): string[] {
  const problems: string[] = [];
  if (!rules.types.includes(file.mimeType)) problems.push(`${platform} takes ${list(rules.types)} videos; the video is ${typeName(file.mimeType)}`);
  if (file.bytes > rules.maxBytes) problems.push(`${platform} takes videos up to ${formatBytes(rules.maxBytes)}; the video is ${formatBytes(file.bytes)}`);
  const duration = file.durationSec;
  if (duration === undefined) problems.push(`${platform} needs to know the video's length, and Tether could not read it from the file`);
  else if (duration < rules.minDurationSec || duration > rules.maxDurationSec) {
    problems.push(`${platform} takes videos from ${seconds(rules.minDurationSec)} to ${seconds(rules.maxDurationSec)} long; the video is ${seconds(duration)}`);
  }
  problems.push(...aspectProblems(platform, 'videos', rules, file, 'the video'));
  return problems;
}

function aspectProblems(platform: string, what: string, rules: { minAspect?: number; maxAspect?: number }, file: MediaInfo, which: string): string[] {
  if (rules.minAspect === undefined && rules.maxAspect === undefined) return [];
  if (!file.width || !file.height) return [`${platform} needs ${which}'s size, and Tether could not read it from the file`];
  const aspect = file.width / file.height;
  const min = rules.minAspect ?? 0;
  const max = rules.maxAspect ?? Number.POSITIVE_INFINITY;
  // A thousandth of slack: 1080×1350 is exactly 4:5 however it rounds.
  if (aspect >= min - 0.001 && aspect <= max + 0.001) return [];
  const range = rules.maxAspect === undefined ? `at least ${ratio(min)}` : rules.minAspect === undefined ? `at most ${ratio(max)}` : `between ${ratio(min)} and ${ratio(max)}`;
  return [`${platform} takes ${what} with an aspect ratio (width:height) ${range}; ${which} is ${file.width}×${file.height} (${ratio(aspect)})`];
}

/** Short hints for the compose form: "up to 4 images", "a video of 0.5 s to 140 s". */
export function mediaHints(rules: MediaRules): string[] {
  const hints: string[] = [];
  if (rules.required === 'media') hints.push('needs an image or a video');
  if (rules.required === 'image') hints.push('needs an image');
  if (rules.required === 'video') hints.push('needs a video');
  if (rules.image) hints.push(`up to ${rules.image.maxCount} image${rules.image.maxCount === 1 ? '' : 's'} (${list(rules.image.types)}, ${formatBytes(rules.image.maxBytes)} each)`);
  if (rules.video) hints.push(`a video (${list(rules.video.types)}, ${seconds(rules.video.minDurationSec)}–${seconds(rules.video.maxDurationSec)}, up to ${formatBytes(rules.video.maxBytes)})`);
  if (!rules.image && !rules.video) hints.push('text only');
  return hints;
}
