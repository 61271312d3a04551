// GET / : what the sandbox emulates and where to look.

import type { Express } from 'express';
import { PLATFORM_IDS } from '../../platforms/types.js';
import { PLATFORM_NAMES } from '../../platforms/types.js';
import { escapeHtml, page } from './html.js';
import type { SandboxState } from './state.js';

const AUTHORIZE: Record<string, string> = {
  x: '/x.com/i/oauth2/authorize',
  linkedin: '/www.linkedin.com/oauth/v2/authorization',
  facebook: '/www.facebook.com/v21.0/dialog/oauth',
  instagram: '/www.facebook.com/v21.0/dialog/oauth',
  threads: '/threads.com/oauth/authorize',
  tiktok: '/www.tiktok.com/v2/auth/authorize/',
  youtube: '/accounts.google.com/o/oauth2/v2/auth',
  pinterest: '/www.pinterest.com/oauth/',
  bluesky: '/bsky.social/xrpc/com.atproto.server.createSession',
};

export function mountHomePage(app: Express, state: SandboxState): void {
  app.get('/', (_req, res) => {
    const rows = PLATFORM_IDS.map((id) => {
      const posts = state.posts.posts.filter((p) => p.platform === id);
      const recent = posts
        .slice(-3)
        .map((p) => `<a href="${escapeHtml(p.path)}">${escapeHtml(p.text.slice(0, 30) || p.id)}</a>`)
        .join(', ');
      return `<tr><td><strong>${PLATFORM_NAMES[id]}</strong></td><td><code>${escapeHtml(AUTHORIZE[id] ?? '')}</code></td>
<td><code>${escapeHtml(state.clients[id].clientId)}</code></td><td><a href="/_sandbox/identities?platform=${id}">identities</a></td>
<td><a href="/_sandbox/posts?platform=${id}">${posts.length} posts</a> ${recent}</td></tr>`;
    }).join('\n');
    res.type('html').send(
      page(
        'Tether platform sandbox',
        `<h1>Platform sandbox</h1><p>Real platform URLs are served under <code>/&lt;host&gt;/&lt;path&gt;</code>.</p>
<table><tr><th>Platform</th><th>Authorize / login</th><th>Client id</th><th></th><th>Posts</th></tr>${rows}</table>
<p><a href="/_sandbox/counters">counters</a> · <a href="/_sandbox/tokens?live=true">live tokens</a> · <a href="/_sandbox/callbacks">callbacks</a> · <a href="/_sandbox/config">config</a></p>`,
      ),
    );
  });
}
