import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../../tools/paths.js';

// Readers for the deployment files (docker-compose.yml, .env.example, Dockerfile) shared by the
// tests in this folder. Nothing here runs Docker: the files are checked as text.

export const repoFile = (relative: string) => path.join(repoRoot, relative);
export const readRepoFile = (relative: string) => readFileSync(repoFile(relative), 'utf8');

export interface Healthcheck {
  test: string[] | string;
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; target?: string } | string;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: Healthcheck;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  restart?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Parses a compose file the way Compose does for anchors and `<<` merge keys. */
export function readCompose(relative: string): ComposeFile {
  return parse(readRepoFile(relative), { merge: true }) as ComposeFile;
}

export interface EnvFile {
  /** `NAME=value` lines: set (possibly to ""). */
  active: Map<string, string>;
  /** `# NAME=value` lines: listed but unset. */
  commented: Map<string, string>;
  /** Every listed name in file order, duplicates kept. */
  order: string[];
}

export function parseEnvFile(text: string): EnvFile {
  const env: EnvFile = { active: new Map(), commented: new Map(), order: [] };
  for (const line of text.split('\n')) {
    const active = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    const commented = /^#\s?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    const match = active ?? commented;
    if (!match) continue;
    const [, name, value] = match as unknown as [string, string, string];
    (active ? env.active : env.commented).set(name, value);
    env.order.push(name);
  }
  return env;
}

export class MissingVariableError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
  }
}

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Compose's interpolation: `${VAR}`, `$VAR`, `${VAR:-default}` (unset or empty), `${VAR-default}`
 * (unset), `${VAR:?message}` / `${VAR?message}` (refuse to start) and `$$` for a literal `$`.
 */
export function interpolate(value: string, vars: ReadonlyMap<string, string>): string {
  return value.replace(REFERENCE, (whole, braced: string | undefined, operator: string | undefined, operand: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare)!;
    const current = vars.get(name);
    const emptyCounts = operator?.startsWith(':') ?? false;
    const missing = current === undefined || (emptyCounts && current === '');
    if (operator?.endsWith('-')) return missing ? (operand ?? '') : current!;
    if (operator?.endsWith('?')) {
      if (missing) throw new MissingVariableError(name, operand ?? 'required');
      return current!;
    }
    return current ?? '';
  });
}

/** Names of every variable a string interpolates. */
export function referencedVariables(value: string): string[] {
  return [...value.matchAll(REFERENCE)].filter((m) => m[0] !== '$$').map((m) => (m[1] ?? m[4])!);
}

/** Every string anywhere in a parsed YAML value. */
export function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, v]) => [key, ...allStrings(v)]);
  return [];
}

/** A service's environment with every value interpolated from `vars`. */
export function resolvedEnvironment(service: ComposeService, vars: ReadonlyMap<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolate(String(value ?? ''), vars)]));
}

export interface DockerInstruction {
  keyword: string;
  args: string;
}

export interface DockerStage {
  name?: string;
  from: string;
  instructions: DockerInstruction[];
}

/** Splits a Dockerfile into stages of instructions (continuation lines joined, comments dropped). */
export function parseDockerfile(text: string): DockerStage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: DockerStage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const [from = '', as, name] = args.split(/\s+/);
      stages.push({ from, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** The JSON (exec) form of CMD/ENTRYPOINT. */
export function execForm(args: string): string[] {
  return JSON.parse(args) as string[];
}

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

// Value imports only: `import type` / `export type` are erased and need no package at run time.
const IMPORT_PATTERNS = [
  /^\s*import\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm,
  /^\s*export\s+(?!type\s)[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

export interface ImportClosure {
  /** Repository-relative paths of every source file reached. */
  files: string[];
  /** Package names imported by those files (`@scope/name` or `name`). */
  packages: string[];
}

/** Follows relative value imports from the entry files and collects the packages they import. */
export function importClosure(entries: string[]): ImportClosure {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = entries.map((entry) => repoFile(entry));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.ts')) continue;
    const source = readFileSync(file, 'utf8');
    for (const pattern of IMPORT_PATTERNS) {
      for (const [, specifier] of source.matchAll(pattern)) {
        if (!specifier || BUILTINS.has(specifier)) continue;
        if (specifier.startsWith('.')) {
          queue.push(resolveRelative(file, specifier));
        } else {
          const parts = specifier.split('/');
          packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
        }
      }
    }
  }
  return { files: [...seen].map((f) => path.relative(repoRoot, f)).sort(), packages: [...packages].sort() };
}

function resolveRelative(from: string, specifier: string): string {
  const target = path.resolve(path.dirname(from), specifier);
  for (const candidate of [target.replace(/\.js$/, '.ts'), target]) if (existsSync(candidate)) return candidate;
  throw new Error(`${path.relative(repoRoot, from)} imports ${specifier}, which does not exist`);
}
