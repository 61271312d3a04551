import { isNextActionCode, type NextActionCode } from '../../workflows/lifecycle/codes.js';
import type { PhrasingContext } from './reasons.js';
import { formatMoment, type Instant } from './time.js';

// What an account's lifecycle does next, in words: "Renews the token at 14:05 Europe/Berlin".

export function phraseNextAction(action: string, at: Instant | undefined, context: Pick<PhrasingContext, 'timeZone' | 'now'>): string {
  const when = at === undefined ? '' : ` at ${formatMoment(at, context.timeZone, context.now)}`;
  if (!isNextActionCode(action)) {
    // Stored before next actions were codes ("renew token"): the words as they are.
    return `${action.charAt(0).toUpperCase()}${action.slice(1)}${when}`;
  }
  return phraseCode(action, when);
}

function phraseCode(action: NextActionCode, when: string): string {
  switch (action) {
    case 'renew':
      return `Renews the token${when}`;
    case 'retryRenewal':
      return `Tries the renewal again${when}`;
    case 'validate':
      return `Checks the token${when}`;
    case 'retryValidation':
      return `Checks the token again${when}`;
    case 'awaitRenewal':
      return `Waits for the platform to answer the renewal${when ? ` (gives up${when})` : ''}`;
    case 'awaitValidation':
      return `Waits for the platform to answer the token check${when ? ` (gives up${when})` : ''}`;
    case 'renewGrant':
      return `Renews to keep the authorization${when}`;
    case 'check':
      return `Checks the connection${when}`;
    case 'retryCheck':
      return `Checks the connection again${when}`;
    case 'awaitCheck':
      return `Waits for the platform to answer the connection check${when ? ` (gives up${when})` : ''}`;
    case 'renewBeforePost':
      return `Renews the token for the next post${when}`;
    case 'warn':
      return `Warns you about the coming expiry${when}`;
    case 'markExpired':
      return `Stops working${when}`;
    case 'waitForReconnect':
      return 'Waits for you to reconnect';
    case 'checkCredentials':
      return 'Checks the new credentials';
    case 'nothing':
      return 'Nothing planned';
    default: {
      const unphrased: never = action;
      return unphrased;
    }
  }
}
