// Small HTML pieces: page layout, escaping, generated avatars, public post pages.

import { PLATFORM_NAMES, type PlatformId } from '../../platforms/types.js';
import type { PostRecord } from './model.js';

const COLORS: Record<PlatformId, string> = {
  linkedin: '#0a66c2',
  facebook: '#1877f2',
  instagram: '#c13584',
  bluesky: '#1185fe',
  youtube: '#ff0000',
  pinterest: '#e60023',
  tiktok: '#111111',
  x: '#000000',
  threads: '#101010',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function page(title: string, content: string, platform?: PlatformId): string {
  const color = platform ? COLORS[platform] : '#334155';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f1f5f9;margin:0;color:#0f172a}
header{background:${color};color:#fff;padding:14px 24px;font-weight:600}
main{max-width:560px;margin:24px auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.1)}
h1{font-size:1.25rem;margin-top:0} ul{padding-left:20px} code{background:#f1f5f9;padding:1px 4px;border-radius:4px}
label.choice{display:flex;align-items:center;gap:12px;padding:10px;border:1px solid #e2e8f0;border-radius:8px;margin:8px 0;cursor:pointer}
label.choice img{width:40px;height:40px;border-radius:50%}
.sub{color:#64748b;font-size:.9rem} .targets{margin:0 0 0 52px;font-size:.9rem}
.buttons{display:flex;gap:12px;margin-top:20px}
button{flex:1;padding:10px;border-radius:8px;border:1px solid ${color};font-size:1rem;cursor:pointer}
button.approve{background:${color};color:#fff} button.deny{background:#fff;color:${color}}
.notice{color:#64748b;font-size:.8rem;margin-top:16px} table{border-collapse:collapse} td,th{padding:4px 8px;text-align:left}
</style></head>
<body><header>${escapeHtml(platform ? `${PLATFORM_NAMES[platform]} (sandbox)` : 'Tether platform sandbox')}</header><main>${content}</main></body></html>`;
}

export function errorPage(platform: PlatformId | undefined, title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`, platform);
}

export function avatarSvg(label: string, platform: PlatformId): string {
  const initial = escapeHtml((label.replace(/[^A-Za-z0-9]/g, '')[0] ?? '?').toUpperCase());
  return `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96"><rect width="96" height="96" rx="48" fill="${COLORS[platform]}"/><text x="48" y="60" font-family="sans-serif" font-size="44" fill="#fff" text-anchor="middle">${initial}</text></svg>`;
}

export function postPage(post: PostRecord, displayName: string): string {
  const alts = post.imageAlts ?? [];
  const images = post.imageUrls
    .map((url, index) => `<p><img src="${escapeHtml(url)}" alt="${escapeHtml(alts[index] ?? '')}" data-testid="post-image" style="max-width:100%"></p>`)
    .join('');
  const video = post.processingNote
    ? `<p data-testid="post-processing">${escapeHtml(post.processingNote)}</p>`
    : post.videoUrl ? `<p><video src="${escapeHtml(post.videoUrl)}" controls muted preload="metadata" data-testid="post-video" style="max-width:100%"></video></p>` : '';
  return page(
    `${displayName} on ${PLATFORM_NAMES[post.platform]}`,
    `<h1>${escapeHtml(displayName)} <span class="sub">@${escapeHtml(post.authorHandle)}</span></h1>
<p style="white-space:pre-wrap" data-testid="post-text">${escapeHtml(post.text)}</p>${images}${video}
<p class="sub">Post ${escapeHtml(post.id)} · ${new Date(post.createdAt).toISOString()}</p>`,
    post.platform,
  );
}
