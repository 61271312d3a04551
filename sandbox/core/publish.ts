// Publishing through the post store with counting, and the public post pages.

import type { Router } from 'express';
import type { PlatformId } from '../../platforms/types.js';
import { errorPage, postPage } from './html.js';
import type { PublishInput, PublishResult } from './posts.js';
import type { SandboxState } from './state.js';

/** Stores a post (or finds its earlier copy) and counts the attempt, an idempotent replay, or a refused duplicate. */
export function publish(
  state: SandboxState,
  input: Omit<PublishInput, 'duplicateWindowMs'> & { rejectDuplicateContent?: boolean },
): PublishResult {
  const { rejectDuplicateContent, ...rest } = input;
  const result = state.posts.publish(
    { ...rest, duplicateWindowMs: rejectDuplicateContent ? state.settings.duplicateWindowSec * 1000 : undefined },
    state.clock.now(),
  );
  state.counters.bump(input.platform, [input.authorId], 'publishAttempts');
  if (result.kind === 'replay') state.counters.bump(input.platform, [input.authorId], 'publishReplays');
  if (result.kind === 'duplicateContent') state.counters.bump(input.platform, [input.authorId], 'publishDuplicates');
  return result;
}

/** Renders a post's public page at the platform's real post path; `postId` reads the id from the path's params (and the query). */
export function mountPostPage(
  router: Router,
  path: string,
  state: SandboxState,
  platform: PlatformId,
  postId: (params: Record<string, string>) => string,
): void {
  router.get(path, (req, res) => {
    const post = state.posts.find(platform, postId({ ...(req.query as Record<string, string>), ...(req.params as Record<string, string>) }));
    if (!post) {
      res.status(404).type('html').send(errorPage(platform, 'Not found', 'This post does not exist.'));
      return;
    }
    const author = state.identity(platform, post.authorId);
    const owner = author ? undefined : state.metaOwner(post.authorId);
    const name = author?.displayName ?? owner?.page.name ?? post.authorHandle;
    res.type('html').send(postPage(post, name));
  });
}

/** Digits for numeric ids (snowflake-like); the first digit is never 0. */
export function numericId(length: number): string {
  let out = String(1 + Math.floor(Math.random() * 9));
  while (out.length < length) out += String(Math.floor(Math.random() * 10));
  return out;
}
