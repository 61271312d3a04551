import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type { Config } from './load.js';

export type { Logger } from 'pino';

/** Field names whose values never reach a log line, wherever they appear in a logged object. */
const REDACTED_KEYS = [
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'accessJwt',
  'refreshJwt',
  'password',
  'appPassword',
  'code_verifier',
  'codeVerifier',
  'client_secret',
  'clientSecret',
  'authorization',
  'cookie',
  'sessionId',
];

/** pino-pretty is a development dependency: where it is not installed (the production image), logs stay JSON. */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export function createLogger(log: Config['log'], name: string): Logger {
  const pretty = log.format === 'pretty' && prettyAvailable();
  return pino({
    name,
    level: log.level,
    redact: { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]), censor: '[redacted]' },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: false, singleLine: true, ignore: 'pid,hostname,name', translateTime: 'HH:MM:ss' } } }
      : {}),
  });
}
