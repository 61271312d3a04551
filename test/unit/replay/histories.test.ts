import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { workflowsPath } from '../../../worker/create-worker.js';
import { historyWithDecodedPayloads } from '../../../tools/history-text.js';

// Replays the committed account workflow histories (test/histories, recorded by
// test/histories/record.ts) against the current workflow code: a change that would break running
// workflows (a new, removed or reordered activity, timer or message handling without a patch)
// fails here with a determinism error instead of in production.

const HISTORIES_DIR = fileURLToPath(new URL('../../histories/', import.meta.url));
const historyFiles = readdirSync(HISTORIES_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort();

// What the sandbox's tokens look like (sandbox/core/tokens.ts, sandbox/platforms/bluesky.ts):
// Bluesky JWTs, platform-prefixed random strings, and X's bare 48-character base64url strings.
const TOKEN_PATTERNS: Array<[string, RegExp]> = [
  ['JWT', /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/],
  ['prefixed token', /(?:AQV|AQX|EAAS|EAAI|THAA|act\.|rft\.|ya29\.|1\/\/0|pina_|pinr_)[A-Za-z0-9_-]{40,}/],
  ['bare 48-character token', /(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{48}(?![A-Za-z0-9_-])/],
  ['token field', /"(?:accessToken|refreshToken|accessJwt|refreshJwt|access_token|refresh_token)"\s*:/],
];

function tokenLikeValues(text: string): string[] {
  return TOKEN_PATTERNS.flatMap(([kind, pattern]) => {
    const match = pattern.exec(text);
    return match ? [`${kind}: ${match[0].slice(0, 12)}…`] : [];
  });
}

describe('committed account workflow histories', () => {
  beforeAll(() => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  });

  it('exist, one per representative lifecycle', () => {
    expect(historyFiles.length).toBeGreaterThanOrEqual(7);
  });

  it('replay against the current workflow code without a determinism error', { timeout: 240_000 }, async () => {
    const histories = historyFiles.map((file) => ({
      workflowId: path.basename(file, '.json'),
      history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))),
    }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowsPath, replayName: 'committed-histories' }, histories)) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(histories.length);
  });

  it.each(historyFiles)('%s holds no token', (file) => {
    const text = historyWithDecodedPayloads(readFileSync(path.join(HISTORIES_DIR, file), 'utf8'));
    expect(text).toContain('accountWorkflow');
    expect(tokenLikeValues(text)).toEqual([]);
  });

  it('recognises every kind of sandbox token (the check above can fail)', () => {
    const samples = [
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.c2lnbmF0dXJl',
      `AQV${'a1B2'.repeat(12)}`,
      `pinr_${'z9Y8'.repeat(12)}`,
      'Xk3_'.repeat(12),
      '{"refreshToken":"x"}',
    ];
    for (const sample of samples) expect(tokenLikeValues(`{"note":"${sample}"}`), sample).not.toEqual([]);
    expect(tokenLikeValues('{"accountId":"5749428b-a7db-4f36-aa02-bd97bc33bfdd","status":"active"}')).toEqual([]);
  });
});
