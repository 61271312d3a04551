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
    expect(config.tokenEncryptionKey.current.key).toHaveLength(32);
    expect(config.plans.selfServe).toBe(true);
    expect(config.email.catcher).toEqual({ port: 1025, dir: path.join(config.dataDir, 'mail') });
    expect(config.metrics).toEqual({ host: '127.0.0.1', webPort: 9464, workerPort: 9465, temporalPort: 9466 });
  });

  it('lists every bad variable in one error, each with its reason', () => {
    const problems = problemsOf({ WEB_PORT: 'eighty', TEMPORAL_ADDRESS: 'nohost', PLATFORM_MODE: 'prod', PLANS: '{oops' });
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith('WEB_PORT:'))).toMatch(/number.*"eighty"/i);
    expect(problems.find((p) => p.startsWith('TEMPORAL_ADDRESS:'))).toMatch(/host:port/);
    expect(problems.find((p) => p.startsWith('PLATFORM_MODE:'))).toMatch(/sandbox|live/);
    expect(problems.find((p) => p.startsWith('PLANS:'))).toMatch(/JSON/);
  });

  it('runs the embedded FerretDB on SQLite unless EMBEDDED_DB_BACKEND chooses PostgreSQL, and names a bad value', () => {
    expect(loadConfig({ TETHER_DATA_DIR: dataDir() }).mongo.embeddedBackend).toBe('sqlite');
    expect(loadConfig({ TETHER_DATA_DIR: dataDir(), EMBEDDED_DB_BACKEND: 'postgresql' }).mongo.embeddedBackend).toBe('postgresql');
    expect(problemsOf({ EMBEDDED_DB_BACKEND: 'postgres', WEB_PORT: 'eighty' })).toEqual([
      expect.stringMatching(/^WEB_PORT:/),
      expect.stringMatching(/^EMBEDDED_DB_BACKEND: expected sqlite or postgresql/),
    ]);
  });

  it('never echoes the value of a secret in the error', () => {
    const problems = problemsOf({ SESSION_SECRET: 'short-secret-value' });
    expect(problems).toEqual([expect.stringMatching(/^SESSION_SECRET: .*32/)]);
    expect(problems[0]).not.toContain('short-secret-value');
  });

  it('requires secrets and external servers in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    for (const name of ['SESSION_SECRET', 'TOKEN_ENCRYPTION_KEY', 'MONGODB_URI', 'TEMPORAL_ADDRESS', 'PUBLIC_URL', 'SMTP_URL']) {
      expect(problems).toContain(`${name}: required in production`);
    }
  });

  const productionEnv = {
    NODE_ENV: 'production',
    SESSION_SECRET: 's'.repeat(40),
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    MONGODB_URI: 'mongodb://db:27017/tether',
    TEMPORAL_ADDRESS: 'temporal:7233',
    PUBLIC_URL: 'https://tether.example.com',
    SMTP_URL: 'smtp://mail.example.com:587',
    PLATFORM_MODE: 'live',
  };

  it('refuses the sandbox platforms in production, whose client secrets are public', () => {
    expect(problemsOf({ ...productionEnv, PLATFORM_MODE: 'sandbox' })).toEqual([
      'PLATFORM_MODE: sandbox is refused in production (its client secrets are public); use live',
    ]);
    expect(loadConfig({ TETHER_DATA_DIR: dataDir(), ...productionEnv }).platforms.mode).toBe('live');
  });

  it('turns self-serve plan changes off by default in production only, and catches mail only in development', () => {
    const production = loadConfig({ TETHER_DATA_DIR: dataDir(), ...productionEnv });
    expect(production.plans.selfServe).toBe(false);
    expect(production.email.catcher).toBeUndefined();
    expect(loadConfig({ TETHER_DATA_DIR: dataDir(), ...productionEnv, PLAN_SELF_SERVE: 'true' }).plans.selfServe).toBe(true);
    expect(loadConfig({ TETHER_DATA_DIR: dataDir(), PLAN_SELF_SERVE: 'false' }).plans.selfServe).toBe(false);
    expect(loadConfig({ TETHER_DATA_DIR: dataDir(), NODE_ENV: 'test' }).email.catcher).toBeUndefined();
  });

  it('reads older token keys for rotation, the newest sealing', () => {
    const older = [Buffer.alloc(32, 2), Buffer.alloc(32, 3)];
    const config = loadConfig({ TETHER_DATA_DIR: dataDir(), ...productionEnv, TOKEN_ENCRYPTION_OLD_KEYS: older.map((k) => k.toString('base64')).join(', ') });
    expect(config.tokenEncryptionKey.current.key.equals(Buffer.alloc(32, 1))).toBe(true);
    expect(config.tokenEncryptionKey.byId.size).toBe(3);
    const problems = problemsOf({ TOKEN_ENCRYPTION_OLD_KEYS: `${older[0]!.toString('base64')},not-a-key` });
    expect(problems).toEqual([expect.stringMatching(/^TOKEN_ENCRYPTION_OLD_KEYS: each key must be 32 bytes/)]);
    expect(problems[0]).not.toContain(older[0]!.toString('base64'));
  });

  it('reads the operator settings: diagnostics token, Meta notice window, metrics listeners', () => {
    const config = loadConfig({
      TETHER_DATA_DIR: dataDir(),
      DIAGNOSTICS_TOKEN: 'd'.repeat(40),
      META_DEAUTHORIZE_MAX_AGE_MINUTES: '15',
      METRICS_HOST: '0.0.0.0',
      WEB_METRICS_PORT: '0',
      WORKER_METRICS_PORT: '19465',
    });
    expect(config.security).toEqual({ diagnosticsToken: 'd'.repeat(40), metaSignedRequestMaxAgeSec: 900 });
    expect(config.metrics).toEqual({ host: '0.0.0.0', webPort: 0, workerPort: 19465, temporalPort: 9466 });
    const problems = problemsOf({ DIAGNOSTICS_TOKEN: 'too-short-token', WORKER_METRICS_PORT: '-1', META_DEAUTHORIZE_MAX_AGE_MINUTES: '0' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DIAGNOSTICS_TOKEN', 'META_DEAUTHORIZE_MAX_AGE_MINUTES', 'WORKER_METRICS_PORT']);
    expect(problems.join('\n')).not.toContain('too-short-token');
  });

  it('generates development secrets once and keeps them across restarts', () => {
    const dir = dataDir();
    const first = loadConfig({ TETHER_DATA_DIR: dir });
    const second = loadConfig({ TETHER_DATA_DIR: dir });
    expect(existsSync(path.join(dir, 'secrets.json'))).toBe(true);
    expect(second.web.sessionSecret).toBe(first.web.sessionSecret);
    expect(second.tokenEncryptionKey.current.key.equals(first.tokenEncryptionKey.current.key)).toBe(true);
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
