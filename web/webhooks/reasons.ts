import type { PlatformId } from '../../platforms/types.js';
import type { Reason } from '../../workflows/lifecycle/types.js';

// Why the account expired after a platform's "access removed" notice (pages phrase the code).

export function appRemovedReason(_platform: PlatformId): Reason {
  return { code: 'app_removed' };
}

/** TikTok says why the authorization ended (`content.reason` of `authorization.removed`). */
export function tiktokRemovalReason(removalReason: number | undefined): Reason {
  switch (removalReason) {
    case 1:
      return appRemovedReason('tiktok');
    case 2:
      return { code: 'account_deactivated' };
    case 3:
      return { code: 'access_removed', detail: "the account's age settings changed" };
    case 4:
      return { code: 'account_suspended' };
    case 5:
      return { code: 'token_revoked' };
    default:
      return { code: 'access_removed' };
  }
}
