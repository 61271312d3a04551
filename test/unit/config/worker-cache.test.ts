import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../config/index.js';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../../../config/schema.js';

const load = (env: Record<string, string>) => loadConfig({ TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-config-test-')), ...env });

function problemOf(value: string): string | undefined {
  try {
    load({ TEMPORAL_MAX_CACHED_WORKFLOWS: value });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  return undefined;
}

describe('TEMPORAL_MAX_CACHED_WORKFLOWS', () => {
  it('bounds the workflow cache by default, independently of the heap size', () => {
    expect(load({}).temporal.maxCachedWorkflows).toBe(DEFAULT_MAX_CACHED_WORKFLOWS);
    expect(DEFAULT_MAX_CACHED_WORKFLOWS).toBe(1000);
  });

  it('takes a whole number, 0 turning the cache off', () => {
    expect(load({ TEMPORAL_MAX_CACHED_WORKFLOWS: '250' }).temporal.maxCachedWorkflows).toBe(250);
    expect(load({ TEMPORAL_MAX_CACHED_WORKFLOWS: '0' }).temporal.maxCachedWorkflows).toBe(0);
  });

  it('names the variable and the rule when the value cannot be used', () => {
    expect(problemOf('many')).toMatch(/^TEMPORAL_MAX_CACHED_WORKFLOWS: expected a whole number \(got "many"\)/);
    expect(problemOf('-5')).toMatch(/^TEMPORAL_MAX_CACHED_WORKFLOWS: must be 0 \(no cache\) or at least 2/);
    expect(problemOf('2.5')).toMatch(/^TEMPORAL_MAX_CACHED_WORKFLOWS: expected a whole number/);
    expect(problemOf('1')).toMatch(/^TEMPORAL_MAX_CACHED_WORKFLOWS: must be 0 \(no cache\) or at least 2/);
  });
});
