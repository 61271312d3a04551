import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../tools/paths.js';

// `npm run lint` checks the layers (README "Layout") with dependency-cruiser and
// .dependency-cruiser.mjs. Prove the rules bite: on a scratch copy of the tree, add the imports they
// forbid and read what the same command reports.

const run = promisify(execFile);
const SOURCES = ['config', 'db', 'platforms', 'sandbox', 'workflows', 'activities', 'services', 'web', 'worker', 'tools', 'test', 'bench', 'tsconfig.json', 'package.json', '.dependency-cruiser.mjs'];

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}

describe('layer rules (dependency-cruiser)', { timeout: 120_000 }, () => {
  let scratch: string;

  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'tether-layers-'));
    for (const source of SOURCES) cpSync(path.join(repoRoot, source), path.join(scratch, source), { recursive: true });
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
  });
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** The violations `npm run lint:layers` finds in the scratch tree. */
  const violations = async (): Promise<Violation[]> => {
    const cli = path.join(repoRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
    const { stdout } = await run(process.execPath, [cli, '--config', '.dependency-cruiser.mjs', '--output-type', 'json', '.'], { cwd: scratch, maxBuffer: 64 * 1024 * 1024 });
    return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
  };
  const write = (file: string, text: string) => writeFileSync(path.join(scratch, file), text);

  it('finds nothing in the tree as it is', async () => {
    expect(await violations()).toEqual([]);
  });

  it('rejects back edges and cycles, type-only ones too, and lets workflows import types', async () => {
    // Outside web/, reaching into web/.
    write('activities/probe-web.ts', "import { createApp } from '../web/app.js';\nexport const app = createApp;\n");
    // services/ reaching up into a process.
    write('services/probe-worker.ts', "import { createWorkers } from '../worker/create-worker.js';\nexport const workers = createWorkers;\n");
    // db/ importing a workflow type.
    write('db/probe-workflow.ts', "import type { Reason } from '../workflows/lifecycle/types.js';\nexport type R = Reason;\n");
    // A workflow importing db code; a type from db is fine.
    write('workflows/probe-db.ts', "import { createModels } from '../db/models/index.js';\nimport type { Models } from '../db/models/index.js';\nexport const m = createModels;\nexport type M = Models;\n");
    // A cycle made of type imports only: app.ts imports the diagnostics router, which imports a type back.
    const diagnostics = readFileSync(path.join(repoRoot, 'web', 'routes', 'diagnostics.ts'), 'utf8');
    write('web/routes/diagnostics.ts', `import type { AppDeps } from '../app.js';\nexport type Deps = AppDeps;\n${diagnostics}`);

    const found = await violations();
    const edges = found.filter((violation) => violation.rule.name !== 'no-cycle').map((violation) => ({ rule: violation.rule.name, from: violation.from, to: violation.to }));
    // Exactly what the probes added: the workflow probe's type import from db is allowed.
    expect(edges).toEqual(
      expect.arrayContaining([
        { rule: 'web-imported-from-outside', from: 'activities/probe-web.ts', to: 'web/app.ts' },
        { rule: 'services-import-process', from: 'services/probe-worker.ts', to: 'worker/create-worker.ts' },
        { rule: 'db-imports-upper-layer', from: 'db/probe-workflow.ts', to: 'workflows/lifecycle/types.ts' },
        { rule: 'workflow-imports-code', from: 'workflows/probe-db.ts', to: 'db/models/index.ts' },
      ]),
    );
    expect(edges).toHaveLength(4);
    const cycles = found.filter((violation) => violation.rule.name === 'no-cycle').map((violation) => [violation.from, violation.to].sort());
    expect(cycles).toEqual([['web/app.ts', 'web/routes/diagnostics.ts']]);
  });
});
