import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../config/index.js';

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'tether-config-test-'));

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ TETHER_DATA_DIR: dataDir(), ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on embedded defaults with nothing set', () => {
    const config = loadConfig({ TETHER_DATA_DIR: dataDir() });
    expect(config.env).toBe('development');
    expect(config.temporal).toMatchObject({ embedded: true, address: '127.0.0.1:7233', uiUrl: 'http://localhost:8233', namespace: 'default' });
    expect(config.mongo).toMatchObject({ embedded: true, uri: 'mongodb://127.0.0.1:27017/tether' });
    expect(config.platforms.mode).toBe('sandbox');
    expect(config.platforms.clients.x).toEqual({ clientId: 'sandbox-x-client', clientSecret: 'sandbox-x-secret' });
    expect(config.plans.limits).toEqual({ free: 0, starter: 5, growth: 15, agency: 50 });
    expect(config.tokenEncryptionKey).toHaveLength(32);
  });

  it('lists every bad variable in one error, each with its reason', () => {
    const problems = problemsOf({ WEB_PORT: 'eighty', TEMPORAL_ADDRESS: 'nohost', PLATFORM_MODE: 'prod', PLANS: '{oops' });
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith('WEB_PORT:'))).toMatch(/number.*"eighty"/i);
    expect(problems.find((p) => p.startsWith('TEMPORAL_ADDRESS:'))).toMatch(/host:port/);
    expect(problems.find((p) => p.startsWith('PLATFORM_MODE:'))).toMatch(/sandbox|live/);
    expect(problems.find((p) => p.startsWith('PLANS:'))).toMatch(/JSON/);
  });

  it('never echoes the value of a secret in the error', () => {
    const problems = problemsOf({ SESSION_SECRET: 'short-secret-value' });
    expect(problems).toEqual([expect.stringMatching(/^SESSION_SECRET: .*32/)]);
    expect(problems[0]).not.toContain('short-secret-value');
  });

  it('requires secrets and external servers in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    for (const name of ['SESSION_SECRET', 'TOKEN_ENCRYPTION_KEY', 'MONGODB_URI', 'TEMPORAL_ADDRESS', 'PUBLIC_URL']) {
      expect(problems).toContain(`${name}: required in production`);
    }
  });

  it('generates development secrets once and keeps them across restarts', () => {
    const dir = dataDir();
    const first = loadConfig({ TETHER_DATA_DIR: dir });
    const second = loadConfig({ TETHER_DATA_DIR: dir });
    expect(existsSync(path.join(dir, 'secrets.json'))).toBe(true);
    expect(second.web.sessionSecret).toBe(first.web.sessionSecret);
    expect(second.tokenEncryptionKey.equals(first.tokenEncryptionKey)).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, 'secrets.json'), 'utf8')).sessionSecret).toBe(first.web.sessionSecret);
  });

  it('switches embedded servers off when external ones are given', () => {
    const config = loadConfig({ TETHER_DATA_DIR: dataDir(), TEMPORAL_ADDRESS: 'temporal.internal:7233', MONGODB_URI: 'mongodb://db:27017/tether' });
    expect(config.temporal).toMatchObject({ embedded: false, address: 'temporal.internal:7233' });
    expect(config.mongo).toMatchObject({ embedded: false, uri: 'mongodb://db:27017/tether' });
  });

  it('rejects a default plan that is not defined and half-configured live clients', () => {
    const problems = problemsOf({ PLANS: '{"solo":1}', PLATFORM_MODE: 'live', X_CLIENT_ID: 'abc' });
    expect(problems).toContain('DEFAULT_PLAN: "free" is not one of PLANS (solo)');
    expect(problems).toContain('X_CLIENT_SECRET: required with X_CLIENT_ID');
  });

  it('in live mode configures only the platforms that have credentials', () => {
    const config = loadConfig({ TETHER_DATA_DIR: dataDir(), PLATFORM_MODE: 'live', X_CLIENT_ID: 'id', X_CLIENT_SECRET: 'secret' });
    expect(Object.keys(config.platforms.clients)).toEqual(['x']);
  });

  it('reads per-platform renewal rates and names an unknown platform', () => {
    const config = loadConfig({ TETHER_DATA_DIR: dataDir(), RENEWALS_PER_SECOND: '{"x":3,"linkedin":0.5}' });
    expect(config.lifecycle.renewalsPerSecond).toEqual({ x: 3, linkedin: 0.5 });
    expect(problemsOf({ RENEWALS_PER_SECOND: '{"myspace":3}' })).toEqual([expect.stringMatching(/^RENEWALS_PER_SECOND: /)]);
  });
});
