import type { Models } from '../../db/models/index.js';

// The hook for the publishing queue: the scheduled posts a disconnect would make fail. There are
// no posts yet, so the list is empty; when posts land, query them here (one query per page).

export interface AffectedPost {
  id: string;
  scheduledFor: Date;
  excerpt: string;
}

export async function scheduledPostsAffectedBy(_models: Models, _accountId: string): Promise<AffectedPost[]> {
  return [];
}
