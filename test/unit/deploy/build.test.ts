import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../tools/paths.js';
import type * as WorkflowBundle from '../../../worker/workflow-bundle.js';
import { readCompose, readRepoFile } from './deploy-files.js';

// `npm run build` as the image's build stage runs it (into a directory of its own here, so a
// developer's dist/ is left alone), then the entry points the image starts: they exist, and plain
// node (no tsx, no TypeScript) loads each one's whole module graph.

const outDir = path.join(repoRoot, '.test-artifacts', `build-${process.pid}`);
const compose = readCompose('docker-compose.yml');
const imageCommand = JSON.parse(readRepoFile('Dockerfile').match(/^CMD (.+)$/m)![1]!) as string[];
/** dist/... as the image names it, inside this test's build. */
const built = (distPath: string) => path.join(outDir, distPath.replace(/^dist\//, ''));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(outDir, path.join(entry.parentPath, entry.name)));
}

describe('the compiled build (npm run build)', () => {
  beforeAll(() => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'tools/build.ts', '--out-dir', outDir], { cwd: repoRoot, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
  }, 600_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('holds every entry point the image and compose start, the views beside the web code, and the workflow bundle', () => {
    const entries = [imageCommand.at(-1)!, ...['web', 'worker'].map((name) => (compose.services[name]!.command as string[]).at(-1)!), 'dist/tools/admin.js'];
    expect(entries).toEqual(['dist/web/main.js', 'dist/web/main.js', 'dist/worker/main.js', 'dist/tools/admin.js']);
    for (const entry of entries) expect(existsSync(built(entry)), entry).toBe(true);
    expect(existsSync(built('dist/workflow-bundle.js'))).toBe(true);
    expect(readFileSync(built('dist/workflow-bundle.js'), 'utf8')).toContain('accountWorkflow');
    for (const view of ['web/views/layout.ejs', 'web/views/auth/login.ejs', 'web/public/tether.css']) expect(existsSync(path.join(outDir, view)), view).toBe(true);
  });

  it('is JavaScript only, without tests, benchmarks or development tools', () => {
    const files = filesUnder(outDir);
    expect(files.filter((file) => file.endsWith('.ts'))).toEqual([]);
    const top = [...new Set(files.map((file) => file.split(path.sep)[0]!))].sort();
    expect(top).not.toContain('test');
    expect(top).not.toContain('bench');
    expect(files.filter((file) => file.startsWith(`tools${path.sep}`) && file.endsWith('.js'))).toEqual([path.join('tools', 'admin.js')]);
  });

  it('starts under plain node: each entry loads all its imports and refuses a bad configuration with one message', { timeout: 180_000 }, () => {
    for (const entry of ['dist/web/main.js', 'dist/worker/main.js', 'dist/tools/admin.js']) {
      const run = spawnSync(process.execPath, [built(entry)], { cwd: repoRoot, encoding: 'utf8', env: { PATH: process.env.PATH, NODE_ENV: 'production' }, timeout: 60_000 });
      expect(run.status, `${entry}: ${run.stderr}`).toBe(1);
      expect(run.stderr, entry).toMatch(/^Invalid configuration:\n {2}- SESSION_SECRET: required in production\n/);
    }
  });

  it('finds its workflow bundle from the compiled worker', async () => {
    const compiled = (await import(pathToFileURL(built('dist/worker/workflow-bundle.js')).href)) as typeof WorkflowBundle;
    expect(compiled.runningCompiled).toBe(true);
    expect(compiled.prebuiltWorkflowBundle()).toBe(built('dist/workflow-bundle.js'));
  });
});
