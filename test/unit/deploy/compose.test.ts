import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/load.js';
import { envSchema } from '../../../config/schema.js';
import { temporalConnectionOptions } from '../../../config/temporal.js';
import { VERSIONS } from '../../../tools/versions.js';
import { ALL_SEARCH_ATTRIBUTES, searchAttributeCliArgs } from '../../../workflows/search-attributes.js';
import {
  allStrings,
  interpolate,
  MissingVariableError,
  parseEnvFile,
  readCompose,
  readRepoFile,
  referencedVariables,
  repoFile,
  resolvedEnvironment,
  type ComposeService,
} from './deploy-files.js';

const compose = readCompose('docker-compose.yml');
const overlay = readCompose('deploy/temporal-cloud.compose.yml');
const envExample = parseEnvFile(readRepoFile('.env.example'));
const services = compose.services;
const service = (name: string): ComposeService => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const APP_SERVICES = ['web', 'worker'];
const schemaKeys = Object.keys(envSchema.shape);

/** The secrets .env.example leaves empty, as the operator fills them in (README, "Deploy"). */
const REQUIRED_SECRETS = ['SESSION_SECRET', 'TOKEN_ENCRYPTION_KEY', 'POSTGRES_PASSWORD', 'GRAFANA_ADMIN_PASSWORD'];
/** What else .env.example leaves empty and compose requires, with how the operator fills it in. */
const REQUIRED_SETTINGS = { SMTP_URL: 'smtp://tether:password@smtp.example.com:587' };
const generatedSecrets = () => new Map(REQUIRED_SECRETS.map((name) => [name, randomBytes(32).toString('base64')]));
/** .env as an operator writes it: .env.example with the secrets generated and the mail server named. */
const operatorEnv = (extra: Record<string, string> = {}) =>
  new Map([...envExample.active, ...generatedSecrets(), ...Object.entries(REQUIRED_SETTINGS), ...Object.entries(extra)]);

/** Settings compose pins instead of passing through from .env (the proxy, health check and Prometheus use these ports). */
const FIXED_IN_COMPOSE = {
  NODE_ENV: 'production',
  WEB_HOST: '0.0.0.0',
  WEB_PORT: '3000',
  METRICS_HOST: '0.0.0.0',
  WEB_METRICS_PORT: '9464',
  WORKER_METRICS_PORT: '9465',
  TEMPORAL_METRICS_PORT: '9466',
};
/** Settings only the embedded `npm start` servers read. */
const EMBEDDED_ONLY = ['TETHER_DATA_DIR', 'TEMPORAL_CLI_PATH', 'TEMPORAL_PORT', 'TEMPORAL_UI_PORT', 'MONGODB_PORT', 'EMBEDDED_DB_BACKEND', 'SANDBOX_PORT', 'DEV_MAIL_PORT'];

/** Server and UI versions inside each pinned Temporal CLI's dev server (tools/versions.ts). */
const DEV_SERVER_VERSIONS: Record<string, { server: string; ui: string }> = {
  'v1.5.1': { server: '1.29.1', ui: '2.42.1' },
};

const hostPort = (address: string) => {
  const [host, port] = address.split(':');
  return { host, port: Number(port) };
};
const imageTag = (image: string | undefined) => image?.split(':')[1];
const commandOf = (s: ComposeService) => (Array.isArray(s.command) ? s.command : [s.command ?? '']);

describe('docker-compose.yml', () => {
  it('defines the whole stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['grafana', 'mongo', 'postgresql', 'prometheus', 'proxy', 'temporal', 'temporal-register', 'temporal-schema', 'temporal-ui', 'web', 'worker'].sort(),
    );
  });

  it('passes web and worker the same environment, every key a setting of config/schema.ts', () => {
    const web = service('web').environment ?? {};
    expect(service('worker').environment).toEqual(web);
    const unknown = Object.keys(web).filter((key) => !schemaKeys.includes(key));
    expect(unknown).toEqual([]);
  });

  it('passes every setting through from .env under its own name, except the fixed and embedded-only ones', () => {
    const environment = service('web').environment ?? {};
    for (const [key, value] of Object.entries(FIXED_IN_COMPOSE)) expect(String(environment[key]), key).toBe(value);
    const passedThrough = Object.entries(environment)
      .filter(([key]) => !(key in FIXED_IN_COMPOSE))
      .map(([key, value]) => {
        expect(referencedVariables(String(value)), `${key} should be set from \${${key}}`).toEqual([key]);
        return key;
      });
    const covered = [...passedThrough, ...Object.keys(FIXED_IN_COMPOSE), ...EMBEDDED_ONLY].sort();
    expect(covered).toEqual([...schemaKeys].sort());
    for (const key of EMBEDDED_ONLY) expect(environment).not.toHaveProperty(key);
  });

  it('gives web and worker a configuration loadConfig accepts in production once the secrets are filled in', () => {
    for (const name of APP_SERVICES) {
      const env = resolvedEnvironment(service(name), operatorEnv());
      expect(env.NODE_ENV).toBe('production');
      const config = loadConfig(env, mkdtempSync(path.join(tmpdir(), 'tether-deploy-')));
      expect(config.env).toBe('production');
      expect(config.temporal.embedded).toBe(false);
      expect(config.mongo.embedded).toBe(false);
      expect(config.web.host).toBe('0.0.0.0');
      expect(config.platforms.mode).toBe('live');
      expect(config.log.format).toBe('json');
    }
  });

  it('refuses to start while a required secret is empty, naming it', () => {
    const withoutSecrets = new Map(envExample.active);
    const missing = new Set<string>();
    for (const s of Object.values(services)) {
      for (const value of allStrings(s)) {
        try {
          interpolate(value, withoutSecrets);
        } catch (error) {
          if (!(error instanceof MissingVariableError)) throw error;
          expect(error.message).toContain(error.variable in REQUIRED_SETTINGS ? 'smtp://' : 'openssl rand -base64 32');
          missing.add(error.variable);
        }
      }
    }
    expect([...missing].sort()).toEqual([...REQUIRED_SECRETS, ...Object.keys(REQUIRED_SETTINGS)].sort());
  });

  it('accepts the documented Temporal Cloud settings (API key and mTLS)', () => {
    const apiKey = resolvedEnvironment(
      service('worker'),
      operatorEnv({ TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'my-ns.a1b2c', TEMPORAL_API_KEY: 'key' }),
    );
    const cloud = loadConfig(apiKey, tmpdir()).temporal;
    expect(cloud).toMatchObject({ address: 'my-ns.a1b2c.tmprl.cloud:7233', namespace: 'my-ns.a1b2c', apiKey: 'key' });
    const options = temporalConnectionOptions(cloud);
    expect(options.tls).toBeDefined();
    expect(options.metadata).toEqual({ 'temporal-namespace': 'my-ns.a1b2c' });

    const certPath = envExample.commented.get('TEMPORAL_TLS_CERT_PATH')!;
    const keyPath = envExample.commented.get('TEMPORAL_TLS_KEY_PATH')!;
    const mtls = loadConfig(
      resolvedEnvironment(service('worker'), operatorEnv({ TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233', TEMPORAL_TLS_CERT_PATH: certPath, TEMPORAL_TLS_KEY_PATH: keyPath })),
      tmpdir(),
    ).temporal;
    expect(mtls.tls).toMatchObject({ certPath, keyPath });
  });

  it('lists every variable it interpolates in .env.example', () => {
    const listed = new Set(envExample.order);
    const referenced = new Set([...allStrings(compose), ...allStrings(overlay)].flatMap(referencedVariables));
    expect([...referenced].filter((name) => !listed.has(name))).toEqual([]);
  });

  it('waits for healthy dependencies and for one-shot services to complete', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(s.depends_on ?? {})) {
        const dependency = services[target];
        expect(dependency, `${name} depends on missing service ${target}`).toBeDefined();
        if (dependency?.healthcheck) expect(condition, `${name} -> ${target}`).toBe('service_healthy');
        else {
          expect(condition, `${name} -> ${target}`).toBe('service_completed_successfully');
          expect(dependency?.restart, `${target} is a one-shot and must not restart`).toBeUndefined();
        }
      }
    }
  });

  it('gives every health check an interval, timeout and retries', () => {
    const checked = Object.entries(services).filter(([, s]) => s.healthcheck);
    expect(checked.map(([name]) => name).sort()).toEqual(['mongo', 'postgresql', 'prometheus', 'temporal', 'web']);
    for (const [name, { healthcheck }] of checked) {
      expect(healthcheck!.interval, name).toMatch(/^\d+s$/);
      expect(healthcheck!.timeout, name).toMatch(/^\d+s$/);
      expect(healthcheck!.retries, name).toBeGreaterThan(0);
      expect(['CMD', 'CMD-SHELL']).toContain((healthcheck!.test as string[])[0]);
    }
  });

  it('publishes each host port once', () => {
    const published = Object.values(services).flatMap((s) =>
      (s.ports ?? []).map((spec) => {
        const [mapping = '', protocol = 'tcp'] = spec.split('/');
        const parts = mapping.split(':');
        const hostIp = parts.length === 3 ? parts[0] : '0.0.0.0';
        return `${hostIp}:${parts.at(-2)}/${protocol}`;
      }),
    );
    expect(published.length).toBeGreaterThan(0);
    expect(new Set(published).size).toBe(published.length);
  });

  it('leaves web unpublished so it can scale; the proxy balances over its replicas', () => {
    expect(service('web').ports).toBeUndefined();
    expect(service('worker').ports).toBeUndefined();
    const caddyfile = readRepoFile('deploy/caddy/Caddyfile');
    expect(caddyfile).toMatch(/name web\b/);
    expect(caddyfile).toMatch(/port 3000\b/);
    expect(caddyfile).toContain('{$PUBLIC_URL}');
    expect(service('proxy').environment?.PUBLIC_URL).toBe(service('web').environment?.PUBLIC_URL);
    expect(service('web').expose).toEqual([FIXED_IN_COMPOSE.WEB_PORT]);
    const check = (service('web').healthcheck!.test as string[]).join(' ');
    expect(check).toContain(`http://127.0.0.1:${FIXED_IN_COMPOSE.WEB_PORT}/readyz`);
  });

  it('points every Temporal client at the temporal service and its port', () => {
    const server = service('temporal');
    const serverPort = Number(server.ports?.[0]?.split(':').at(-1));
    expect(serverPort).toBe(7233);
    expect((server.healthcheck!.test as string[]).join(' ')).toContain(`operator cluster health --address 127.0.0.1:${serverPort}`);
    const defaultAddress = resolvedEnvironment(service('web'), operatorEnv()).TEMPORAL_ADDRESS!;
    for (const address of [defaultAddress, ...['temporal-register', 'temporal-ui'].map((n) => String(service(n).environment?.TEMPORAL_ADDRESS))]) {
      expect(hostPort(address)).toEqual({ host: 'temporal', port: serverPort });
    }
  });

  it('points MongoDB clients at the mongo service and the replica set its health check initiates', () => {
    const uri = new URL(resolvedEnvironment(service('web'), operatorEnv()).MONGODB_URI!);
    const mongo = service('mongo');
    const replSet = commandOf(mongo)[commandOf(mongo).indexOf('--replSet') + 1];
    expect(uri.host).toBe('mongo:27017');
    expect(uri.searchParams.get('replicaSet')).toBe(replSet);
    const check = (mongo.healthcheck!.test as string[]).join(' ');
    expect(check).toContain(`_id: '${replSet}'`);
    expect(check).toContain(`host: '${uri.host}'`);
    expect(check).toContain('rs.initiate');
    expect(check).toContain('quit(1)');
  });

  it('registers exactly the search attributes of workflows/search-attributes.ts', () => {
    const args = commandOf(service('temporal-register'));
    expect([...args].sort()).toEqual([...searchAttributeCliArgs()].sort());
    expect(args.map((a) => a.split('=')[0]).sort()).toEqual(ALL_SEARCH_ATTRIBUTES.map((key) => key.name).sort());
  });

  it('registers them in the namespace the apps use', () => {
    expect(service('temporal-register').environment?.TEMPORAL_NAMESPACE).toBe(service('web').environment?.TEMPORAL_NAMESPACE);
    expect(service('temporal-ui').environment?.TEMPORAL_DEFAULT_NAMESPACE).toBe(service('web').environment?.TEMPORAL_NAMESPACE);
  });

  it('pins third-party images to the Temporal versions development and tests run', () => {
    const dev = DEV_SERVER_VERSIONS[VERSIONS.temporalCli];
    expect(dev, `add the server/UI versions of Temporal CLI ${VERSIONS.temporalCli}`).toBeDefined();
    expect(service('temporal').image).toBe(`temporalio/server:${dev!.server}`);
    expect(service('temporal-ui').image).toBe(`temporalio/ui:${dev!.ui}`);
    for (const name of ['temporal-schema', 'temporal-register']) expect(imageTag(service(name).image)?.startsWith(`${dev!.server}-`)).toBe(true);
    for (const [name, s] of Object.entries(services)) {
      const tag = imageTag(s.image);
      if (APP_SERVICES.includes(name)) expect(s.build).toBeDefined();
      else expect(tag && tag !== 'latest', `${name} image ${s.image} must carry a version tag`).toBeTruthy();
    }
  });

  it('builds web and worker from the Dockerfile runtime stage as one image', () => {
    const [web, worker] = APP_SERVICES.map(service);
    expect(web!.image).toBe(worker!.image);
    expect(web!.build).toEqual({ context: '.', target: 'runtime' });
    expect(worker!.build).toEqual(web!.build);
  });

  it('mounts only files that exist, and runs the scripts it mounts', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const volume of s.volumes ?? []) {
        const [source = ''] = volume.split(':');
        if (source.startsWith('./')) expect(existsSync(repoFile(source)), `${name} mounts ${source}`).toBe(true);
      }
    }
    for (const name of ['temporal-schema', 'temporal-register']) {
      const entrypoint = service(name).entrypoint as string[];
      const script = entrypoint.at(-1)!;
      expect(script.startsWith('/deploy/')).toBe(true);
      expect(existsSync(repoFile(`deploy/temporal/${path.basename(script)}`))).toBe(true);
    }
  });

  it('keeps data in named volumes that are declared', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const used = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0]!)
      .filter((source) => !source.startsWith('.') && !source.startsWith('/'));
    expect([...new Set(used)].sort()).toEqual([...declared].sort());
    expect(service('postgresql').volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(service('mongo').volumes).toContain('mongo-data:/data/db');
  });

  it('sets up both Temporal databases', () => {
    const sql = readFileSync(repoFile('deploy/postgres/create-visibility-db.sql'), 'utf8');
    expect(service('postgresql').environment?.POSTGRES_DB).toBe('temporal');
    expect(sql).toContain('CREATE DATABASE temporal_visibility');
    const script = readRepoFile('deploy/temporal/setup-schema.sh');
    expect(script).toContain('temporal:temporal temporal_visibility:visibility');
  });
});

describe('deploy/temporal-cloud.compose.yml', () => {
  it('mounts the TLS directory into web and worker where .env.example points the certificate paths', () => {
    expect(Object.keys(overlay.services).sort()).toEqual([...APP_SERVICES].sort());
    for (const name of APP_SERVICES) {
      const [mount] = overlay.services[name]!.volumes ?? [];
      expect(mount).toMatch(/:\/run\/secrets\/temporal:ro$/);
    }
    for (const name of ['TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH', 'TEMPORAL_TLS_CA_PATH']) {
      expect(envExample.commented.get(name)).toMatch(/^\/run\/secrets\/temporal\//);
    }
  });
});
