// Published posts, with idempotency keys and duplicate-content detection.

import type { PostRecord } from './model.js';

export type PublishResult =
  | { kind: 'created'; post: PostRecord }
  /** Same Idempotency-Key on the same account: the original post. */
  | { kind: 'replay'; post: PostRecord }
  /** Same text on the same account within the window, on a platform that rejects that. */
  | { kind: 'duplicateContent'; post: PostRecord };

export interface PublishInput extends Omit<PostRecord, 'createdAt' | 'id' | 'path'> {
  /** Reject identical text inside this window (ms); undefined = allow. */
  duplicateWindowMs?: number;
  makeId(): string;
  makePath(id: string): string;
}

export class PostStore {
  readonly posts: PostRecord[] = [];
  private readonly byKey = new Map<string, PostRecord>();

  publish(input: PublishInput, now: number): PublishResult {
    const { duplicateWindowMs, makeId, makePath, ...fields } = input;
    const key = input.idempotencyKey ? `${input.platform}:${input.authorId}:${input.idempotencyKey}` : undefined;
    const previous = key ? this.byKey.get(key) : undefined;
    if (previous) return { kind: 'replay', post: previous };
    if (duplicateWindowMs !== undefined) {
      const text = normalize(input.text);
      const same = this.posts.find(
        (p) => p.platform === input.platform && p.authorId === input.authorId && normalize(p.text) === text && now - p.createdAt < duplicateWindowMs,
      );
      if (same) return { kind: 'duplicateContent', post: same };
    }
    const id = makeId();
    const post: PostRecord = { ...fields, id, createdAt: now, path: makePath(id) };
    this.posts.push(post);
    if (key) this.byKey.set(key, post);
    return { kind: 'created', post };
  }

  find(platform: string, id: string): PostRecord | undefined {
    return this.posts.find((p) => p.platform === platform && p.id === id);
  }

  clear(): void {
    this.posts.length = 0;
    this.byKey.clear();
  }
}

function normalize(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}
