import type { Connection } from 'mongoose';
import { accountEventModel } from './account-event.js';
import { accountIdentityModel } from './account-identity.js';
import { accountModel } from './account.js';
import { authTokenModel, authTokenUseModel } from './auth-token.js';
import { claimModel } from './claim.js';
import { credentialHeadModel } from './credential-head.js';
import { credentialModel } from './credential.js';
import { diagnosticModel } from './diagnostic.js';
import { mediaUploadModel } from './media-upload.js';
import { mediaModel } from './media.js';
import { notificationModel } from './notification.js';
import { penNameModel } from './pen-name.js';
import { planSlotHolderModel } from './plan-slot-holder.js';
import { planSlotModel } from './plan-slot.js';
import { postTargetModel } from './post-target.js';
import { postModel } from './post.js';
import { queueRestoreModel } from './queue-restore.js';
import { rateLimitHitModel } from './rate-limit-hit.js';
import { renewalSlotModel } from './renewal-slot.js';
import { sessionModel } from './session.js';
import { userModel } from './user.js';

/** Every model bound to one connection; web and activities receive this object. */
export function createModels(connection: Connection) {
  return {
    Diagnostic: diagnosticModel(connection),
    User: userModel(connection),
    PenName: penNameModel(connection),
    Account: accountModel(connection),
    AccountIdentity: accountIdentityModel(connection),
    AccountEvent: accountEventModel(connection),
    Credential: credentialModel(connection),
    CredentialHead: credentialHeadModel(connection),
    Claim: claimModel(connection),
    Notification: notificationModel(connection),
    PlanSlot: planSlotModel(connection),
    PlanSlotHolder: planSlotHolderModel(connection),
    Post: postModel(connection),
    PostTarget: postTargetModel(connection),
    QueueRestore: queueRestoreModel(connection),
    Session: sessionModel(connection),
    RateLimitHit: rateLimitHitModel(connection),
    RenewalSlot: renewalSlotModel(connection),
    Media: mediaModel(connection),
    MediaUpload: mediaUploadModel(connection),
    AuthToken: authTokenModel(connection),
    AuthTokenUse: authTokenUseModel(connection),
  };
}

export type Models = ReturnType<typeof createModels>;

/**
 * Waits until every model's indexes exist. Unique indexes carry correctness (one account per
 * identity, one notification per dedupe key), so processes await this before serving.
 */
export async function ensureIndexes(models: Models): Promise<void> {
  await Promise.all(Object.values(models).map((model) => model.init()));
}
