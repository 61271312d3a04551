import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema, ENV_DESCRIPTIONS } from '../../../config/schema.js';
import { configTable, readmeConfigSection } from '../../../tools/config-table.js';
import { repoRoot } from '../../../tools/paths.js';

describe('README configuration table', () => {
  it('describes every variable of the schema and nothing else', () => {
    expect(Object.keys(ENV_DESCRIPTIONS).sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('matches the table generated from the schema (run `npm run docs:config`)', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    expect(readmeConfigSection(readme)).toBe(configTable());
  });
});
