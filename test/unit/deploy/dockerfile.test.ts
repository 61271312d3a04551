import { describe, expect, it } from 'vitest';
import { execForm, importClosure, parseDockerfile, readCompose, readRepoFile, type DockerStage } from './deploy-files.js';

const packageJson = JSON.parse(readRepoFile('package.json')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
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
/** The compiled file a command list runs. */
const scriptOf = (command: string[]) => command.find((part) => part.endsWith('.js'));
/** The source file `npm run build` compiles into a dist/ entry point. */
const sourceOf = (compiled: string) => compiled.replace(/^dist\//, '').replace(/\.js$/, '.ts');

/** The source of what the runtime image executes: the web and worker entry points, the admin command, and the bundled workflow code. */
const RUNTIME_ENTRIES = ['web/main.ts', 'worker/main.ts', 'tools/admin.ts', 'workflows/index.ts'];
/** Needed to build and test, never to run: the image must not need them. */
const DEVELOPMENT_ONLY = ['tsx', '@temporalio/testing', 'pino-pretty', 'typescript', 'smtp-server', 'mailparser', 'playwright-core', 'supertest', 'vitest'];

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

  it('builds with every dependency, then installs production dependencies only, from the lock file, for the image', () => {
    const installs = (stage: DockerStage) => args(stage, 'RUN').filter((run) => /\bnpm (ci|install)\b/.test(run));
    expect(installs(build)).toHaveLength(1);
    expect(installs(build)[0]).toMatch(/\bnpm ci$/);
    expect(installs(runtime)).toHaveLength(1);
    expect(installs(runtime)[0]).toMatch(/\bnpm ci --omit=dev$/);
  });

  it('compiles in the build stage and copies only dist/ (compiled code, views, workflow bundle) into the image', () => {
    expect(args(build, 'RUN').some((run) => run === 'npm run build')).toBe(true);
    expect(packageJson.scripts.build).toBe('tsx tools/build.ts');
    expect(args(runtime, 'COPY')).toEqual(['package.json package-lock.json ./', '--from=build /app/dist ./dist']);
    expect(args(runtime, 'ENV')).toContain('NODE_ENV=production');
  });

  it('runs as a non-root user', () => {
    const users = args(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users.at(-1));
  });

  it('starts compiled entry points with plain node, by default the web app; compose runs the worker from the same image', () => {
    expect(execForm(args(runtime, 'ENTRYPOINT').at(-1)!)).toEqual(['node']);
    expect(scriptOf(execForm(args(runtime, 'CMD').at(-1)!))).toBe('dist/web/main.js');
    for (const name of ['web', 'worker']) {
      const command = compose.services[name]!.command as string[];
      expect(scriptOf(command), name).toBe(`dist/${name}/main.js`);
      expect(RUNTIME_ENTRIES).toContain(sourceOf(scriptOf(command)!));
    }
    // `npm start` keeps running from source.
    expect(packageJson.scripts.start).toBe('tsx tools/start.ts');
  });

  it('ships every package the runtime imports as a production dependency, and none of the development ones', () => {
    const { packages } = importClosure(RUNTIME_ENTRIES);
    expect(packages).toContain('@temporalio/worker');
    expect(packages).toContain('prom-client');
    expect(packages.filter((name) => !(name in packageJson.dependencies))).toEqual([]);
    for (const name of DEVELOPMENT_ONLY) {
      expect(packages, `${name} is imported by production code`).not.toContain(name);
      expect(packageJson.dependencies, `${name} is a production dependency`).not.toHaveProperty(name);
      expect(packageJson.devDependencies, `${name} is not a development dependency`).toHaveProperty(name);
    }
  });

  it('keeps secrets, local data, tests and dependencies out of the build context, and the source the build needs in it', () => {
    for (const entry of ['.env', '.env.*', 'node_modules', '.git', '.data', '.tools', 'dist', 'test', 'deploy/temporal-tls']) expect(dockerignore).toContain(entry);
    expect(dockerignore).toContain('!.env.example');
    const { files } = importClosure([...RUNTIME_ENTRIES, 'tools/build.ts']);
    const ignoredPrefixes = dockerignore.filter((line) => !line.startsWith('!') && !line.includes('*'));
    const ignored = [...files, 'tsconfig.json', 'tsconfig.build.json'].filter((file) => ignoredPrefixes.some((prefix) => file === prefix || file.startsWith(`${prefix}/`)));
    expect(ignored).toEqual([]);
  });
});
