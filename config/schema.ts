import { z } from 'zod';
import { DEFAULT_LINKEDIN_VERSION, DEFAULT_META_GRAPH_VERSION, LINKEDIN_VERSION_PATTERN, META_GRAPH_VERSION_PATTERN } from '../platforms/api-versions.js';
import { PLATFORM_IDS, type PlatformId } from '../platforms/types.js';

// Every setting Tether reads, as environment variables. `loadConfig` parses them once; the
// resulting `Config` object is passed down to everything else.

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
/** A port for an optional listener; 0 turns the listener off. */
const listenerPort = (fallback: number) => z.coerce.number().int().min(0, { message: 'expected a port, or 0 for off' }).max(65535).default(fallback);
const boolText = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' });
const isTrue = (v: string) => v === 'true' || v === '1' || v === 'yes';
const bool = (fallback: boolean) => boolText.default(fallback ? 'true' : 'false').transform(isTrue);
/** A switch whose default depends on NODE_ENV (decided in load.ts). */
const optionalBool = boolText.transform(isTrue).optional();
const url = z.url({ message: 'expected an absolute URL like http://host:port' });
const optionalText = z.string().trim().min(1).optional();
const secret = z.string().min(32, { message: 'must be at least 32 characters' });
const ENCRYPTION_KEY = /^[A-Za-z0-9+/]{43}=$/;
const encryptionKey = z.string().regex(ENCRYPTION_KEY, { message: 'must be 32 bytes, base64-encoded (44 characters)' });
const encryptionKeys = z
  .string()
  .transform((raw) => raw.split(',').map((key) => key.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(ENCRYPTION_KEY, { message: 'each key must be 32 bytes, base64-encoded (44 characters), keys separated by commas' })));

/** A variable holding JSON; `example` shows the expected shape in the error. */
const json = (example: string) =>
  z.string().transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be JSON like ${example}` });
      return z.NEVER;
    }
  });

const plans = json('{"free":0,"starter":5}')
  .pipe(
    z
      .record(z.string().regex(/^[a-z][a-z0-9-]*$/), z.number().int().min(0))
      .refine((p) => Object.keys(p).length > 0, { message: 'must define at least one plan' }),
  );

/**
 * Account workflows a worker keeps in memory. An idle account workflow takes about 0.35-0.5 MiB
 * cached; an evicted one is replayed from its history when it next wakes (once per renewal or
 * post), so the cache only has to hold the accounts busy at the same moment. 1,000 keeps a worker
 * under ~0.5 GiB of workflow state on a 24 GiB / 2-core machine at any account count.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 1000;

export const DEFAULT_PLANS = '{"free":0,"starter":5,"growth":15,"agency":50}';

/** Variables read per platform: `<PREFIX>_CLIENT_ID`, `<PREFIX>_CLIENT_SECRET`. */
export const PLATFORM_ENV_PREFIX: Record<PlatformId, string> = {
  linkedin: 'LINKEDIN',
  facebook: 'FACEBOOK',
  instagram: 'INSTAGRAM',
  bluesky: 'BLUESKY',
  youtube: 'YOUTUBE',
  pinterest: 'PINTEREST',
  tiktok: 'TIKTOK',
  x: 'X',
  threads: 'THREADS',
};

const platformVars = Object.fromEntries(
  PLATFORM_IDS.flatMap((id) => [
    [`${PLATFORM_ENV_PREFIX[id]}_CLIENT_ID`, optionalText],
    [`${PLATFORM_ENV_PREFIX[id]}_CLIENT_SECRET`, optionalText],
  ]),
) as Record<string, typeof optionalText>;

/** What an operator chooses about the platforms beyond their clients (platforms/settings.ts). */
const platformSettingVars = {
  LINKEDIN_MODE: z.enum(['member', 'organization'], { message: 'expected member or organization' }).default('member'),
  LINKEDIN_ORGANIZATION_CLIENT_ID: optionalText,
  LINKEDIN_ORGANIZATION_CLIENT_SECRET: optionalText,
  LINKEDIN_VERSION: z.string().regex(LINKEDIN_VERSION_PATTERN, { message: 'expected a LinkedIn-Version like 202603 (YYYYMM)' }).default(DEFAULT_LINKEDIN_VERSION),
  META_GRAPH_VERSION: z.string().regex(META_GRAPH_VERSION_PATTERN, { message: 'expected a Graph API version like v25.0' }).default(DEFAULT_META_GRAPH_VERSION),
  FACEBOOK_LOGIN_CONFIG_ID: optionalText,
  INSTAGRAM_LOGIN_CONFIG_ID: optionalText,
  TIKTOK_AUDITED: bool(false),
  TIKTOK_VERIFIED_DOMAINS: z
    .string()
    .default('')
    .transform((raw) => raw.split(',').map((d) => d.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^(https:\/\/\S+|[a-z0-9.-]+\.[a-z]{2,})$/i, { message: 'expected domains like media.example.com or https:// URL prefixes, comma-separated' }))),
};

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  TETHER_DATA_DIR: z.string().min(1).default('.data'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),

  WEB_HOST: z.string().min(1).default('127.0.0.1'),
  WEB_PORT: port(3000),
  PUBLIC_URL: url.optional(),
  SESSION_SECRET: secret.optional(),
  DIAGNOSTICS_TOKEN: secret.optional(),
  SUPPORT_EMAIL: z.email({ message: 'expected an email address' }).default('support@tether.local'),

  TEMPORAL_CLI_PATH: optionalText,
  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, { message: 'expected host:port' }).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('tether'),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_UI_URL: url.optional(),
  TEMPORAL_API_KEY: optionalText,
  TEMPORAL_TLS_CERT_PATH: optionalText,
  TEMPORAL_TLS_KEY_PATH: optionalText,
  TEMPORAL_TLS_CA_PATH: optionalText,
  TEMPORAL_MAX_CACHED_WORKFLOWS: z.coerce
    .number({ message: 'expected a whole number' })
    .int({ message: 'expected a whole number' })
    .min(0, { message: 'must be 0 (no cache) or at least 2' })
    .max(1_000_000, { message: 'must be at most 1000000' })
    .refine((n) => n !== 1, { message: 'must be 0 (no cache) or at least 2' })
    .default(DEFAULT_MAX_CACHED_WORKFLOWS),

  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, { message: 'expected a mongodb:// or mongodb+srv:// URI' })
    .optional(),
  MONGODB_PORT: port(27017),
  EMBEDDED_DB_BACKEND: z.enum(['sqlite', 'postgresql'], { message: 'expected sqlite or postgresql' }).default('sqlite'),
  TOKEN_ENCRYPTION_KEY: encryptionKey.optional(),
  TOKEN_ENCRYPTION_OLD_KEYS: encryptionKeys.optional(),

  PLATFORM_MODE: z.enum(['sandbox', 'live']).default('sandbox'),
  SANDBOX_PORT: port(4010),
  SANDBOX_URL: url.optional(),
  LINKEDIN_PARTNER_REFRESH: bool(false),
  ...platformVars,
  ...platformSettingVars,
  META_DEAUTHORIZE_MAX_AGE_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),

  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, { message: 'expected smtp:// or smtps:// URL' })
    .optional(),
  EMAIL_FROM: z.string().min(3).default('Tether <no-reply@tether.local>'),
  DEV_MAIL_PORT: port(1025),
  WEBHOOK_URL: url.optional(),
  WEBHOOK_SECRET: secret.optional(),

  PLANS: plans.default(JSON.parse(DEFAULT_PLANS) as Record<string, number>),
  DEFAULT_PLAN: z.string().min(1).default('free'),
  PLAN_SELF_SERVE: optionalBool,
  EXPIRY_WARNING_DAYS: z.coerce.number().positive().max(60).default(7),
  HEALTH_CHECK_HOURS: z.coerce.number().positive().max(24 * 60).default(24),
  PUBLISH_RENEWAL_LEAD_MINUTES: z.coerce.number().min(0).max(24 * 60).default(10),
  OVERDUE_DECISION_MINUTES: z.coerce.number().min(0).max(1440).default(10),
  ACCOUNT_EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(400),
  RENEWALS_PER_SECOND: json('{"x":3,"linkedin":1}')
    .pipe(z.partialRecord(z.enum(PLATFORM_IDS), z.number().positive().max(1000)))
    .optional(),
  RENEWAL_PACING: z.coerce.number().gt(0, { message: 'must be above 0' }).lt(1, { message: 'must be below 1 (what it leaves is how late a request may leave its slot)' }).default(0.95),

  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  WEB_METRICS_PORT: listenerPort(9464),
  WORKER_METRICS_PORT: listenerPort(9465),
  TEMPORAL_METRICS_PORT: listenerPort(9466),
});

export type Env = z.infer<typeof envSchema>;
export type EmbeddedDatabaseBackend = Env['EMBEDDED_DB_BACKEND'];

/** One line of the README's configuration table per variable, checked against the schema by a test. */
export const ENV_DESCRIPTIONS: Record<keyof Env, string> = {
  NODE_ENV: '`development` (embedded defaults, generated secrets), `test` or `production` (secrets required)',
  TETHER_DATA_DIR: 'Where embedded servers keep data and development secrets',
  LOG_LEVEL: '`debug`, `info`, `warn` or `error`',
  LOG_FORMAT: '`pretty` (default in development) or `json` (default in production)',
  WEB_HOST: 'Interface the dashboard listens on',
  WEB_PORT: 'Dashboard port',
  PUBLIC_URL: 'Dashboard URL as users reach it (OAuth redirects, email links); default `http://localhost:WEB_PORT`',
  SESSION_SECRET: 'Cookie signing secret (>= 32 chars), also the key that signs email verification and password reset links; generated in development',
  DIAGNOSTICS_TOKEN: 'Operator token (>= 32 chars) for `/diagnostics/roundtrip` (`Authorization: Bearer <token>`); unset, the check is open in development and switched off in production',
  SUPPORT_EMAIL: 'Contact address shown in the dashboard footer',
  TEMPORAL_CLI_PATH: 'A `temporal` CLI to run the embedded dev server with; default one on PATH, else built into `.tools/`',
  TEMPORAL_ADDRESS: 'Existing Temporal frontend `host:port`; unset runs the embedded dev server',
  TEMPORAL_NAMESPACE: 'Temporal namespace',
  TEMPORAL_TASK_QUEUE: 'Task queue of the account workflows',
  TEMPORAL_PORT: 'Embedded Temporal dev server gRPC port',
  TEMPORAL_UI_PORT: 'Embedded Temporal UI port',
  TEMPORAL_UI_URL: 'Temporal UI URL printed for operators; default the embedded UI',
  TEMPORAL_API_KEY: 'Temporal Cloud API key (implies TLS)',
  TEMPORAL_TLS_CERT_PATH: 'mTLS client certificate file',
  TEMPORAL_TLS_KEY_PATH: 'mTLS client key file',
  TEMPORAL_TLS_CA_PATH: 'CA bundle for the Temporal server certificate',
  TEMPORAL_MAX_CACHED_WORKFLOWS: 'Account workflows a worker keeps in memory (about 0.5 MiB each); the others are replayed from history when they wake. Bounds worker memory whatever the account count; 0 disables the cache',
  MONGODB_URI: 'Existing MongoDB URI; unset runs a `mongod` on PATH or the embedded FerretDB',
  MONGODB_PORT: 'Embedded database port',
  EMBEDDED_DB_BACKEND: 'Storage of the embedded FerretDB: `sqlite` (files under TETHER_DATA_DIR) or `postgresql` (a PostgreSQL cluster `npm start` runs under TETHER_DATA_DIR; Debian `postgresql`, installed with apt-get when missing; chosen even when a `mongod` is on PATH)',
  TOKEN_ENCRYPTION_KEY: 'AES-256-GCM key that seals stored tokens (base64, 32 bytes); generated in development',
  TOKEN_ENCRYPTION_OLD_KEYS: 'Earlier token keys, comma-separated: they only open what they sealed until `npm run admin -- rotate-key` re-seals it with `TOKEN_ENCRYPTION_KEY`',
  PLATFORM_MODE: '`sandbox` (the local emulator) or `live` (the real platforms)',
  SANDBOX_PORT: 'Sandbox port',
  SANDBOX_URL: 'Sandbox base URL; default `http://127.0.0.1:SANDBOX_PORT`',
  LINKEDIN_PARTNER_REFRESH: 'The LinkedIn app has programmatic refresh tokens (approved partners only)',
  ...(Object.fromEntries(
    PLATFORM_IDS.flatMap((id) => [
      [`${PLATFORM_ENV_PREFIX[id]}_CLIENT_ID`, `${id} OAuth client id (live mode)`],
      [`${PLATFORM_ENV_PREFIX[id]}_CLIENT_SECRET`, `${id} OAuth client secret (live mode)`],
    ]),
  ) as Record<string, string>),
  LINKEDIN_MODE: '`member` (Sign In with LinkedIn + Share on LinkedIn app) or `organization` (Community Management API app, its own client): which LinkedIn app new connects use',
  LINKEDIN_ORGANIZATION_CLIENT_ID: 'Client id of the LinkedIn app that has only the Community Management API (organization mode)',
  LINKEDIN_ORGANIZATION_CLIENT_SECRET: 'Client secret of that Community Management app',
  LINKEDIN_VERSION: '`LinkedIn-Version` header sent to the versioned API (YYYYMM); the worker warns when LinkedIn has retired it',
  META_GRAPH_VERSION: 'Graph API version for Facebook and Instagram; the worker warns when Meta has expired it',
  FACEBOOK_LOGIN_CONFIG_ID: 'Facebook Login for Business configuration id of the Facebook app; sent instead of a scope list',
  INSTAGRAM_LOGIN_CONFIG_ID: 'Facebook Login for Business configuration id of the Instagram app; sent instead of a scope list',
  TIKTOK_AUDITED: 'The TikTok app passed TikTok\'s audit; until then every post is private (`SELF_ONLY`)',
  TIKTOK_VERIFIED_DOMAINS: 'Domains (or https URL prefixes) verified for the TikTok app, comma-separated; TikTok pulls photos only from them',
  META_DEAUTHORIZE_MAX_AGE_MINUTES: 'Meta deauthorization notices whose `issued_at` is older than this (or missing) are refused',
  SMTP_URL: 'SMTP server for address confirmation, password reset and notification email, e.g. `smtp://user:pass@host:587`; required in production; unset elsewhere disables email (`npm start` catches it locally instead)',
  EMAIL_FROM: 'Sender of Tether\'s email',
  DEV_MAIL_PORT: 'Port of the mail catcher `npm start` runs in development when `SMTP_URL` is unset; caught mail is listed at `/dev/mail`',
  WEBHOOK_URL: 'Receiver of HMAC-signed notification webhooks; unset disables them',
  WEBHOOK_SECRET: 'HMAC-SHA256 key for webhooks (>= 32 chars); generated in development',
  PLANS: 'Plans and their connected-account limits, JSON',
  DEFAULT_PLAN: 'Plan of a new user',
  PLAN_SELF_SERVE: 'Users may change their own plan from the Billing page; default `true`, in production `false`',
  EXPIRY_WARNING_DAYS: 'Warn this many days before a token that cannot be renewed expires',
  HEALTH_CHECK_HOURS: 'How often each connection is proven to still work (the cheapest call its platform allows: a token check, else a renewal), jittered up to 10 % later',
  PUBLISH_RENEWAL_LEAD_MINUTES: 'How long before a scheduled post its token is renewed when it would be expired by then (raise it when many posts fall due at once: renewals go at RENEWALS_PER_SECOND)',
  ACCOUNT_EVENT_RETENTION_DAYS: 'How long each account page\'s timeline keeps its events; older ones are deleted by the periodic self-healing sweep',
  OVERDUE_DECISION_MINUTES: 'After a reconnect, how long posts that fell due while the account was expired wait for the user to choose (publish now, reschedule, skip) before they go out in order; 0 publishes at once',
  RENEWALS_PER_SECOND: 'Per-platform cap on token renewals per second across all workers, JSON (keep it below the platform limit; give every worker the same); default built in',
  RENEWAL_PACING: 'Share of `RENEWALS_PER_SECOND` the token requests are spaced at: every worker process takes each request a slot of one grid in the database (an insert per request), so all of them together keep evenly spaced and no second (sliding or fixed) holds more than the cap, whatever their number; what the share leaves (53 ms of each second at 0.95) is split between how late a request may leave its slot before the slot is given up (an event-loop stall) and its way to the platform (the network, clock skew between hosts). Below 1; give every worker the same value',
  METRICS_HOST: 'Interface the Prometheus `/metrics` listeners bind to (a separate listener from the dashboard)',
  WEB_METRICS_PORT: 'Port of the web process\'s `/metrics`; 0 turns it off',
  WORKER_METRICS_PORT: 'Port of the worker\'s `/metrics` (Tether\'s own metrics); 0 turns it off',
  TEMPORAL_METRICS_PORT: 'Port of the Temporal SDK\'s Prometheus exporter in the worker (worker, poller and task metrics); 0 turns it off',
} as Record<keyof Env, string>;
