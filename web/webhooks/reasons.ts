import { PLATFORM_NAMES, type PlatformId } from '../../platforms/types.js';
import type { Reason } from '../../workflows/lifecycle/types.js';

// What the account page says after a platform's "access removed" notice.

export function appRemovedReason(platform: PlatformId): Reason {
  return { code: 'app_removed', message: `You removed Tether's access on ${PLATFORM_NAMES[platform]} — reconnect to continue` };
}

/** TikTok says why the authorization ended (`content.reason` of `authorization.removed`). */
export function tiktokRemovalReason(removalReason: number | undefined): Reason {
  switch (removalReason) {
    case 1:
      return appRemovedReason('tiktok');
    case 2:
      return { code: 'account_deactivated', message: "TikTok says this account was deleted, so Tether's access ended" };
    case 3:
      return { code: 'app_removed', message: "TikTok ended Tether's access because the account's age settings changed — reconnect to continue" };
    case 4:
      return { code: 'account_suspended', message: "TikTok banned this account, so Tether's access ended" };
    case 5:
      return { code: 'token_revoked', message: "Tether's access on TikTok was revoked from the developer side — reconnect to continue" };
    default:
      return { code: 'app_removed', message: "TikTok ended Tether's access to this account — reconnect to continue" };
  }
}
