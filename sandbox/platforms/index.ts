// Mounts every emulated platform on its real hosts.

import type { Express } from 'express';
import type { PlatformContext } from '../core/context.js';
import { HostRegistry } from '../core/http.js';
import type { SandboxState } from '../core/state.js';
import { mountBluesky } from './bluesky.js';
import { mountFacebook } from './facebook.js';
import { mountGraphObjects } from './graphObjects.js';
import { mountInstagram } from './instagram.js';
import { mountLinkedIn } from './linkedin.js';
import { mountMetaLogin } from './meta.js';
import { mountPinterest } from './pinterest.js';
import { mountThreads } from './threads.js';
import { mountTikTok } from './tiktok.js';
import { mountX } from './x.js';
import { mountYouTube } from './youtube.js';

export function mountAllPlatforms(app: Express, state: SandboxState): void {
  const hosts = new HostRegistry(app);
  const context: PlatformContext = { state, hosts };
  mountX(context);
  mountLinkedIn(context);
  // Order matters on graph.facebook.com: specific paths before the generic GET /{id}.
  mountMetaLogin(context);
  mountFacebook(context);
  mountInstagram(context);
  mountGraphObjects(context);
  mountThreads(context);
  mountTikTok(context);
  mountYouTube(context);
  mountPinterest(context);
  mountBluesky(context);
  hosts.finish();
}
