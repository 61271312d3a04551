import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { workflowsPath } from '../worker/create-worker.js';
import { repoRoot } from './paths.js';

// `npm run build`: the production build in dist/ (or --out-dir, inside the repository so Node finds
// node_modules and the package's "type": "module"):
//   1. tsc -p tsconfig.build.json compiles the production code (type-checked) to JavaScript;
//   2. the dashboard's views and static files are copied beside the compiled web code;
//   3. the workflow code is bundled once into workflow-bundle.js, which the compiled worker loads.
// The image then runs `node dist/web/main.js` and `node dist/worker/main.js` with production
// dependencies only; `npm start` keeps running the source through tsx.

export interface BuildResult {
  outDir: string;
  compileMs: number;
  bundleMs: number;
  bundleKiB: number;
}

export async function build(outDir = path.join(repoRoot, 'dist')): Promise<BuildResult> {
  const relative = path.relative(repoRoot, outDir);
  if (relative.startsWith('..') || path.isAbsolute(relative) || relative === '') throw new Error(`--out-dir must be inside the repository, got ${outDir}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  let started = Date.now();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(repoRoot, 'tsconfig.build.json'), '--outDir', outDir], { cwd: repoRoot, encoding: 'utf8' });
  if (compiled.status !== 0) throw new Error(`tsc failed:\n${compiled.stdout}${compiled.stderr}`);
  for (const folder of ['views', 'public']) cpSync(path.join(repoRoot, 'web', folder), path.join(outDir, 'web', folder), { recursive: true });
  const compileMs = Date.now() - started;

  started = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  writeFileSync(path.join(outDir, 'workflow-bundle.js'), code);
  return { outDir, compileMs, bundleMs: Date.now() - started, bundleKiB: Math.round(code.length / 1024) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(repoRoot, 'tools', 'build.ts')) {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
  const result = await build(values['out-dir'] ? path.resolve(values['out-dir']) : undefined);
  const where = path.relative(repoRoot, result.outDir);
  process.stdout.write(
    `compiled to ${where}/ in ${(result.compileMs / 1000).toFixed(1)} s; workflow bundle ${where}/workflow-bundle.js (${result.bundleKiB} KiB) in ${(result.bundleMs / 1000).toFixed(1)} s\n`,
  );
}
