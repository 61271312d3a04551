import { ConfigError, loadConfig, type Config } from './load.js';

export type { Config, PlatformClient } from './load.js';
export { ConfigError, loadConfig } from './load.js';

/**
 * The entry points' way in: the one place that reads `process.env`. A bad environment exits with
 * one message listing every bad variable.
 */
export function configFromEnvironment(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
