import type { Config } from '../../config/index.js';
import type { Logger } from '../../config/logger.js';
import type { Models } from '../../db/models/index.js';
import type { MailMessage, Mailer } from '../mailer.js';
import type { AuthTokens } from './tokens.js';

export interface AuthDeps {
  models: Models;
  config: Pick<Config, 'web' | 'email' | 'plans'>;
  tokens: AuthTokens;
  logger: Logger;
  /** Undefined when SMTP_URL is unset: links cannot be sent (logged). */
  mailer?: Mailer;
  now?: () => number;
}

export const linkTo = (deps: Pick<AuthDeps, 'config'>, path: string) => `${deps.config.web.publicUrl}${path}`;

/**
 * Sends one email and never throws: whatever happened to the mail, the visitor gets the same
 * answer (which is what keeps answers from telling who has an account). Failures are logged
 * without the address.
 */
export async function sendQuietly(deps: Pick<AuthDeps, 'mailer' | 'logger'>, kind: string, message: MailMessage): Promise<void> {
  if (!deps.mailer) {
    deps.logger.warn({ kind }, 'email is off (SMTP_URL unset): the link was not sent');
    return;
  }
  try {
    await deps.mailer.sendMail(message);
  } catch (error) {
    deps.logger.error({ kind, err: error instanceof Error ? error.message : String(error) }, 'email could not be sent');
  }
}
