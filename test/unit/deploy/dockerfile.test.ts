import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { execForm, importClosure, parseDockerfile, readCompose, readRepoFile, repoFile, type DockerStage } from './deploy-files.js';

const packageJson = JSON.parse(readRepoFile('package.json')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};
const stages = parseDockerfile(readRepoFile('Dockerfile'));
const runtime = stages.at(-1)!;
const build = stages.find((stage) => stage.name === 'build')!;
const compose = readCompose('docker-compose.yml');
const dockerignore = readRepoFile('.dockerignore')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

const args = (stage: DockerStage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
/** `node --import tsx <file>`: the .ts file a command list runs. */
const scriptOf = (command: string[]) => command.find((part) => part.endsWith('.ts'));

/** What the runtime image executes: the web and worker entry points and the bundled workflow code. */
const RUNTIME_ENTRIES = ['web/main.ts', 'worker/main.ts', 'workflows/index.ts'];

describe('Dockerfile', () => {
  it('has a build stage and a final runtime stage on a glibc (Debian) Node image', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    const imageArg = readRepoFile('Dockerfile').match(/^ARG NODE_IMAGE=(\S+)$/m)?.[1];
    expect(imageArg).toMatch(/^node:20\.\d+-bookworm-slim$/);
    for (const stage of stages) expect(stage.from).toBe('${NODE_IMAGE}');
  });

  it('runs only npm scripts that package.json defines', () => {
    const scripts = stages.flatMap((stage) => args(stage, 'RUN')).flatMap((run) => [...run.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!));
    expect(scripts).toContain('build');
    for (const script of scripts) expect(packageJson.scripts, `npm run ${script}`).toHaveProperty(script);
  });

  it('bundles the workflows in the build stage into the dist/ the worker loads, and copies it into the final stage', () => {
    expect(args(build, 'RUN').some((run) => run === 'npm run build')).toBe(true);
    expect(packageJson.scripts.build).toBe('tsx tools/bundle-workflows.ts');
    expect(readRepoFile('tools/bundle-workflows.ts')).toContain("path.join(repoRoot, 'dist', 'workflow-bundle.js')");
    expect(readRepoFile('worker/main.ts')).toContain("'../dist/workflow-bundle.js'");
    expect(args(runtime, 'COPY')).toContain('--from=build /app/dist ./dist');
    expect(args(runtime, 'ENV')).toContain('NODE_ENV=production');
  });

  it('installs production dependencies only, from the lock file', () => {
    for (const stage of stages) {
      const installs = args(stage, 'RUN').filter((run) => /\bnpm (ci|install)\b/.test(run));
      expect(installs.length, stage.name).toBe(1);
      expect(installs[0]).toMatch(/\bnpm ci --omit=dev$/);
    }
  });

  it('runs as a non-root user', () => {
    const users = args(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users.at(-1));
  });

  it('starts files that exist, by default the web app, and compose runs the worker from the same image', () => {
    const entrypoint = execForm(args(runtime, 'ENTRYPOINT').at(-1)!);
    const cmd = execForm(args(runtime, 'CMD').at(-1)!);
    expect(entrypoint).toEqual(['node', '--import', 'tsx']);
    expect(packageJson.dependencies).toHaveProperty('tsx');
    expect(scriptOf(cmd)).toBe('web/main.ts');
    for (const name of ['web', 'worker']) {
      const command = compose.services[name]!.command as string[];
      const script = scriptOf(command);
      expect(script, name).toBe(`${name}/main.ts`);
      expect(existsSync(repoFile(script!))).toBe(true);
    }
  });

  it('ships every package the runtime imports as a production dependency', () => {
    const { packages } = importClosure([...RUNTIME_ENTRIES, 'tools/bundle-workflows.ts']);
    expect(packages).toContain('@temporalio/worker');
    const missing = packages.filter((name) => !(name in packageJson.dependencies));
    expect(missing).toEqual([]);
  });

  it('keeps every file the runtime imports in the build context', () => {
    const { files } = importClosure(RUNTIME_ENTRIES);
    expect(files).toContain('worker/create-worker.ts');
    const ignoredPrefixes = dockerignore.filter((line) => !line.startsWith('!') && !line.includes('*'));
    const ignored = files.filter((file) => ignoredPrefixes.some((prefix) => file === prefix || file.startsWith(`${prefix}/`)));
    expect(ignored).toEqual([]);
  });

  it('keeps secrets, local data and dependencies out of the build context', () => {
    for (const entry of ['.env', '.env.*', 'node_modules', '.git', '.data', '.tools', 'dist', 'deploy/temporal-tls']) expect(dockerignore).toContain(entry);
    expect(dockerignore).toContain('!.env.example');
  });
});
