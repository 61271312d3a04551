import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ENV_DESCRIPTIONS, envSchema } from '../config/schema.js';
import { repoRoot } from './paths.js';

// The README's configuration table, generated from the zod schema. `npm run docs:config`
// rewrites it; a unit test fails when the README and the schema disagree.

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

function shownDefault(value: unknown): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `\`${text.replace(/\|/g, '\\|')}\``;
}

export function configTable(): string {
  const defaults = envSchema.parse({}) as Record<string, unknown>;
  const rows = Object.keys(envSchema.shape).map((name) => {
    const description = ENV_DESCRIPTIONS[name as keyof typeof ENV_DESCRIPTIONS] ?? '';
    return `| \`${name}\` | ${shownDefault(defaults[name])} | ${description.replace(/\|/g, '\\|')} |`;
  });
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}

export function readmeConfigSection(readme: string): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + START.length, end).trim();
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(repoRoot, 'tools', 'config-table.ts')) {
  const file = path.join(repoRoot, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} ... ${END} section`);
  writeFileSync(file, `${readme.slice(0, start + START.length)}\n${configTable()}\n${readme.slice(end)}`);
  process.stdout.write('README.md configuration table updated\n');
}
