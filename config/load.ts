import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { PlatformSettings } from '../platforms/settings.js';
import { PLATFORM_IDS, type PlatformId } from '../platforms/types.js';
import { envSchema, PLATFORM_ENV_PREFIX, type EmbeddedDatabaseBackend, type Env } from './schema.js';
import { tokenKeyring, type TokenKeyring } from './token-keys.js';

export interface PlatformClient {
  clientId: string;
  clientSecret: string;
}

export interface Config {
  env: Env['NODE_ENV'];
  dataDir: string;
  log: { level: Env['LOG_LEVEL']; format: 'pretty' | 'json' };
  web: { host: string; port: number; publicUrl: string; sessionSecret: string; supportEmail: string };
  temporal: {
    /** True when Tether runs its own dev server (TEMPORAL_ADDRESS unset). */
    embedded: boolean;
    address: string;
    port: number;
    uiPort: number;
    uiUrl: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    tls?: { certPath?: string; keyPath?: string; caPath?: string };
    /** Workflows a worker keeps cached (its sticky cache); bounds worker memory. */
    maxCachedWorkflows: number;
  };
  mongo: {
    embedded: boolean;
    uri: string;
    port: number;
    /** Storage of the embedded FerretDB (when no MONGODB_URI is set). */
    embeddedBackend: EmbeddedDatabaseBackend;
  };
  /** The keys that seal stored tokens: the newest seals, every one opens what it sealed. */
  tokenEncryptionKey: TokenKeyring;
  security: {
    /** Without it the diagnostics check is open in development and off in production. */
    diagnosticsToken?: string;
    /** Meta deauthorization notices older than this are refused. */
    metaSignedRequestMaxAgeSec: number;
  };
  /** Prometheus listeners; a port of 0 is off. */
  metrics: { host: string; webPort: number; workerPort: number; temporalPort: number };
  platforms: PlatformSettings & {
    mode: Env['PLATFORM_MODE'];
    sandboxUrl: string;
    sandboxPort: number;
    linkedinPartnerRefresh: boolean;
    /** Platforms without a client are "not configured" in live mode. */
    clients: Partial<Record<PlatformId, PlatformClient>>;
  };
  email: {
    smtpUrl?: string;
    from: string;
    /** Development only: where `npm start`'s mail catcher listens and keeps what it caught (listed at /dev/mail). */
    catcher?: { port: number; dir: string };
  };
  webhook: { url?: string; secret: string };
  plans: { limits: Record<string, number>; defaultPlan: string; selfServe: boolean };
  lifecycle: { warningLeadMs: number; healthCheckMs: number; publishRenewalLeadMs: number; renewalsPerSecond: Partial<Record<PlatformId, number>>; renewalPacing: number };
  publishing: { overdueDecisionMs: number };
  /** How long account timeline events are kept (the self-healing sweep prunes older ones). */
  accountEvents: { retentionMs: number };
  tools: { temporalCliPath?: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Source = Record<string, string | undefined>;

interface LocalSecrets {
  sessionSecret: string;
  tokenEncryptionKey: string;
  webhookSecret: string;
}

/** Development only: secrets generated once and kept in the data directory, so restarts keep sessions and tokens readable. */
function localSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, 'secrets.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  } catch {
    const secrets: LocalSecrets = {
      sessionSecret: randomBytes(32).toString('base64url'),
      tokenEncryptionKey: randomBytes(32).toString('base64'),
      webhookSecret: randomBytes(32).toString('base64url'),
    };
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    return secrets;
  }
}

function describeIssue(issue: z.core.$ZodIssue, source: Source): string {
  const name = String(issue.path[0] ?? '(environment)');
  const raw = source[name];
  const shown = raw === undefined ? '' : ` (got "${raw.length > 60 ? `${raw.slice(0, 57)}...` : raw}")`;
  const secretLike = /SECRET|KEY|TOKEN|PASSWORD|URI|SMTP/.test(name);
  return `${name}: ${issue.message}${secretLike ? '' : shown}`;
}

/** Parses the environment once. Throws ConfigError naming every bad variable. */
export function loadConfig(source: Source, cwd = process.cwd()): Config {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => describeIssue(i, cleaned)));
  const env = parsed.data;
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';
  const dataDir = path.resolve(cwd, env.TETHER_DATA_DIR);

  if (production) {
    // SMTP too: without email nobody can confirm an address (so log in) or reset a password.
    const required = ['SESSION_SECRET', 'TOKEN_ENCRYPTION_KEY', 'MONGODB_URI', 'TEMPORAL_ADDRESS', 'PUBLIC_URL', 'SMTP_URL'] as const;
    for (const name of required) if (!env[name]) problems.push(`${name}: required in production`);
    if (env.WEBHOOK_URL && !env.WEBHOOK_SECRET) problems.push('WEBHOOK_SECRET: required when WEBHOOK_URL is set');
    // The sandbox's client secrets are public, and webhook signatures would be checked with them.
    if (env.PLATFORM_MODE === 'sandbox') problems.push('PLATFORM_MODE: sandbox is refused in production (its client secrets are public); use live');
  }
  if (!(env.DEFAULT_PLAN in env.PLANS)) {
    problems.push(`DEFAULT_PLAN: "${env.DEFAULT_PLAN}" is not one of PLANS (${Object.keys(env.PLANS).join(', ')})`);
  }
  if (env.TEMPORAL_TLS_CERT_PATH && !env.TEMPORAL_TLS_KEY_PATH) problems.push('TEMPORAL_TLS_KEY_PATH: required with TEMPORAL_TLS_CERT_PATH');
  if (env.TEMPORAL_TLS_KEY_PATH && !env.TEMPORAL_TLS_CERT_PATH) problems.push('TEMPORAL_TLS_CERT_PATH: required with TEMPORAL_TLS_KEY_PATH');

  const clients: Partial<Record<PlatformId, PlatformClient>> = {};
  for (const id of PLATFORM_IDS) {
    const prefix = PLATFORM_ENV_PREFIX[id];
    const clientId = cleaned[`${prefix}_CLIENT_ID`];
    const clientSecret = cleaned[`${prefix}_CLIENT_SECRET`];
    if (env.PLATFORM_MODE === 'sandbox') {
      clients[id] = { clientId: clientId ?? `sandbox-${id}-client`, clientSecret: clientSecret ?? `sandbox-${id}-secret` };
    } else if (clientId && clientSecret) {
      clients[id] = { clientId, clientSecret };
    } else if (clientId || clientSecret) {
      problems.push(`${prefix}_${clientId ? 'CLIENT_SECRET' : 'CLIENT_ID'}: required with ${prefix}_${clientId ? 'CLIENT_ID' : 'CLIENT_SECRET'}`);
    }
  }
  const settings = platformSettings(env, cleaned, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const secrets = production ? undefined : localSecrets(dataDir);
  const sessionSecret = env.SESSION_SECRET ?? secrets!.sessionSecret;
  const tokenKey = env.TOKEN_ENCRYPTION_KEY ?? secrets!.tokenEncryptionKey;
  const webhookSecret = env.WEBHOOK_SECRET ?? secrets?.webhookSecret ?? '';
  const temporalEmbedded = !env.TEMPORAL_ADDRESS;
  const mongoEmbedded = !env.MONGODB_URI;

  return {
    env: env.NODE_ENV,
    dataDir,
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT ?? (production ? 'json' : 'pretty') },
    web: {
      host: env.WEB_HOST,
      port: env.WEB_PORT,
      publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.WEB_PORT}`).replace(/\/$/, ''),
      sessionSecret,
      supportEmail: env.SUPPORT_EMAIL,
    },
    temporal: {
      embedded: temporalEmbedded,
      address: env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_PORT}`,
      port: env.TEMPORAL_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      uiUrl: (env.TEMPORAL_UI_URL ?? `http://localhost:${env.TEMPORAL_UI_PORT}`).replace(/\/$/, ''),
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      apiKey: env.TEMPORAL_API_KEY,
      tls:
        env.TEMPORAL_TLS_CERT_PATH || env.TEMPORAL_TLS_CA_PATH
          ? { certPath: env.TEMPORAL_TLS_CERT_PATH, keyPath: env.TEMPORAL_TLS_KEY_PATH, caPath: env.TEMPORAL_TLS_CA_PATH }
          : undefined,
      maxCachedWorkflows: env.TEMPORAL_MAX_CACHED_WORKFLOWS,
    },
    mongo: {
      embedded: mongoEmbedded,
      uri: env.MONGODB_URI ?? `mongodb://127.0.0.1:${env.MONGODB_PORT}/tether`,
      port: env.MONGODB_PORT,
      embeddedBackend: env.EMBEDDED_DB_BACKEND,
    },
    tokenEncryptionKey: tokenKeyring(
      Buffer.from(tokenKey, 'base64'),
      (env.TOKEN_ENCRYPTION_OLD_KEYS ?? []).map((key) => Buffer.from(key, 'base64')),
    ),
    security: { diagnosticsToken: env.DIAGNOSTICS_TOKEN, metaSignedRequestMaxAgeSec: env.META_DEAUTHORIZE_MAX_AGE_MINUTES * 60 },
    metrics: { host: env.METRICS_HOST, webPort: env.WEB_METRICS_PORT, workerPort: env.WORKER_METRICS_PORT, temporalPort: env.TEMPORAL_METRICS_PORT },
    platforms: {
      mode: env.PLATFORM_MODE,
      sandboxUrl: (env.SANDBOX_URL ?? `http://127.0.0.1:${env.SANDBOX_PORT}`).replace(/\/$/, ''),
      sandboxPort: env.SANDBOX_PORT,
      linkedinPartnerRefresh: env.LINKEDIN_PARTNER_REFRESH,
      clients,
      ...settings,
    },
    email: {
      smtpUrl: env.SMTP_URL,
      from: env.EMAIL_FROM,
      ...(env.NODE_ENV === 'development' ? { catcher: { port: env.DEV_MAIL_PORT, dir: path.join(dataDir, 'mail') } } : {}),
    },
    webhook: { url: env.WEBHOOK_URL, secret: webhookSecret },
    // Self-serve plan changes are a development convenience unless an operator turns them on.
    plans: { limits: env.PLANS, defaultPlan: env.DEFAULT_PLAN, selfServe: env.PLAN_SELF_SERVE ?? !production },
    lifecycle: {
      warningLeadMs: env.EXPIRY_WARNING_DAYS * 24 * 3600 * 1000,
      healthCheckMs: env.HEALTH_CHECK_HOURS * 3600 * 1000,
      publishRenewalLeadMs: env.PUBLISH_RENEWAL_LEAD_MINUTES * 60_000,
      renewalsPerSecond: env.RENEWALS_PER_SECOND ?? {},
      renewalPacing: env.RENEWAL_PACING,
    },
    publishing: { overdueDecisionMs: env.OVERDUE_DECISION_MINUTES * 60_000 },
    accountEvents: { retentionMs: env.ACCOUNT_EVENT_RETENTION_DAYS * 24 * 3600_000 },
    tools: { temporalCliPath: env.TEMPORAL_CLI_PATH },
  };
}

/** The platform choices beyond clients; the LinkedIn organization app is required when new connects use it. */
function platformSettings(env: Env, cleaned: Source, problems: string[]): PlatformSettings {
  const sandbox = env.PLATFORM_MODE === 'sandbox';
  const orgId = cleaned.LINKEDIN_ORGANIZATION_CLIENT_ID;
  const orgSecret = cleaned.LINKEDIN_ORGANIZATION_CLIENT_SECRET;
  let organizationClient: PlatformClient | undefined;
  if (orgId && orgSecret) organizationClient = { clientId: orgId, clientSecret: orgSecret };
  else if (orgId || orgSecret) problems.push(`LINKEDIN_ORGANIZATION_${orgId ? 'CLIENT_SECRET' : 'CLIENT_ID'}: required with LINKEDIN_ORGANIZATION_${orgId ? 'CLIENT_ID' : 'CLIENT_SECRET'}`);
  else if (sandbox) organizationClient = { clientId: 'sandbox-linkedin-organization-client', clientSecret: 'sandbox-linkedin-organization-secret' };
  else if (env.LINKEDIN_MODE === 'organization') problems.push('LINKEDIN_ORGANIZATION_CLIENT_ID: required when LINKEDIN_MODE=organization (the Community Management app)');
  return {
    linkedin: { mode: env.LINKEDIN_MODE, ...(organizationClient ? { organizationClient } : {}) },
    apiVersions: { linkedin: env.LINKEDIN_VERSION, metaGraph: env.META_GRAPH_VERSION },
    loginConfigIds: {
      ...(env.FACEBOOK_LOGIN_CONFIG_ID ? { facebook: env.FACEBOOK_LOGIN_CONFIG_ID } : {}),
      ...(env.INSTAGRAM_LOGIN_CONFIG_ID ? { instagram: env.INSTAGRAM_LOGIN_CONFIG_ID } : {}),
    },
    tiktok: { audited: env.TIKTOK_AUDITED, verifiedDomains: env.TIKTOK_VERIFIED_DOMAINS },
  };
}
