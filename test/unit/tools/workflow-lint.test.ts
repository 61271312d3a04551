import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../tools/paths.js';

// The lint rules that keep workflow code deterministic are part of the build; prove they bite.

const eslint = new ESLint({ cwd: repoRoot });
const workflowFile = path.join(repoRoot, 'workflows', 'account', 'workflow.ts');

describe('workflow lint rules', { timeout: 60_000 }, () => {
  it('reject Node built-ins in workflows/', async () => {
    const [result] = await eslint.lintText("import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n", {
      filePath: path.join(repoRoot, 'workflows', 'diagnostics.ts'),
    });
    expect(result?.messages.map((m) => m.ruleId)).toContain('@typescript-eslint/no-restricted-imports');
  });

  it('reject value imports from activities, db and web in workflows/, but allow type imports', async () => {
    const lint = async (code: string) =>
      (await eslint.lintText(code, { filePath: path.join(repoRoot, 'workflows', 'diagnostics.ts') }))[0]?.messages.map((m) => m.ruleId) ?? [];
    expect(await lint("import { createModels } from '../db/models/index.js';\nexport const m = createModels;\n")).toContain('@typescript-eslint/no-restricted-imports');
    expect(await lint("import type { Models } from '../db/models/index.js';\nexport type M = Models;\n")).not.toContain('@typescript-eslint/no-restricted-imports');
  });

  it('enforce awaited promises and forbid timers and process in workflows/, and only there', async () => {
    const inWorkflows = await eslint.calculateConfigForFile(workflowFile);
    expect(inWorkflows.rules['@typescript-eslint/no-floating-promises']).toEqual([2]);
    expect(JSON.stringify(inWorkflows.rules['no-restricted-globals'])).toContain('setTimeout');
    const inWeb = await eslint.calculateConfigForFile(path.join(repoRoot, 'web', 'app.ts'));
    expect(inWeb.rules['@typescript-eslint/no-floating-promises']).toBeUndefined();
  });

  it('forbid reading process.env outside config/ and tools', async () => {
    const [result] = await eslint.lintText('export const port = process.env.PORT;\n', { filePath: path.join(repoRoot, 'web', 'example.ts') });
    expect(result?.messages.map((m) => m.ruleId)).toContain('no-restricted-syntax');
  });
});
