import type { Config } from '../../config/index.js';
import { forgetAccount } from '../../db/accounts.js';
import { createCredentialStore } from '../../db/credentials.js';
import type { Account } from '../../db/models/account.js';
import type { Models } from '../../db/models/index.js';
import { failWaitingTargetsOf } from '../../db/posts.js';
import type { DisconnectResult } from '../../workflows/account/messages.js';
import { ACCOUNT_DISCONNECTED } from '../../workflows/publishing/queue.js';
import { AccountWorkflowClient } from '../account-workflows/client.js';
import type { Answer } from '../account-workflows/refusal.js';
import type { AccountWorkflowTarget } from '../account-workflows/target.js';

// Disconnecting an account: its workflow revokes the tokens where it can, fails the posts it holds
// and ends. An account whose workflow never ran is forgotten here (nothing else holds it).

export interface DisconnectOutcome {
  /** The workflow's answer, or why there was none (`notRunning`: its credentials were deleted here). */
  answer: Answer<DisconnectResult>;
  /** Scheduled posts for the account that failed: those the workflow held, or, without its answer, every one still waiting. */
  failedPosts: number;
}

export async function disconnectAccount(
  deps: { config: Pick<Config, 'tokenEncryptionKey'>; models: Models; workflows: AccountWorkflowTarget },
  account: Account,
  now = new Date(),
): Promise<DisconnectOutcome> {
  const answer = await new AccountWorkflowClient(deps.workflows).disconnect(account._id);
  if (!answer.ok && answer.refusal.kind === 'notRunning') {
    await forgetAccount(deps.models, createCredentialStore(deps.models, deps.config.tokenEncryptionKey), account, now);
  }
  // The workflow failed the posts it held, each by its id. A post it never received (a crash before
  // queueing) fails at the next self-healing pass, which finds its account disconnected (activities/requeue-posts.ts).
  // Without the workflow's answer nobody knows which posts it held: every waiting target of the
  // account fails here, found by reading the whole collection on FerretDB.
  if (answer.ok) return { answer, failedPosts: answer.value.affectedPosts };
  return { answer, failedPosts: await failWaitingTargetsOf(deps.models, account._id, ACCOUNT_DISCONNECTED, now) };
}
