import type { Request, Response } from 'express';
import type { TokenKeyring } from '../../config/token-keys.js';
import { findAccount } from '../../db/accounts.js';
import type { Models } from '../../db/models/index.js';
import { displayHandle } from '../../platforms/handle.js';
import { PLATFORM_NAMES, type Identity, type IssuedTokens, type PlatformId, type Target } from '../../platforms/types.js';
import { pillFor, reconnectUrlFor } from '../connections/page-model.js';
import { readerOf } from '../reader.js';
import { renderPage } from '../respond.js';
import { sealChoice } from './pending.js';

// A reconnect of @alice that came back signed in as @bob: the platform used whoever was signed in
// there (or, on Bluesky, the form was filled in with @bob's handle and app password). Nothing is
// connected; the page says who came back, that @alice is still as she was, how to switch accounts
// at the platform, and offers @bob as a new account (through the choice step). On platforms with a
// choice step (Pages, organizations, channels) the login came back without @alice among what it
// can post to, and the offer is that login's choice.

const SWITCH_HINTS: Partial<Record<PlatformId, string>> = {
  x: 'On x.com, open the account menu (your picture, bottom left) and choose "Log out" or switch to the other account',
  linkedin: 'On linkedin.com, open "Me" at the top and choose "Sign Out"',
  facebook: 'On facebook.com, open your profile picture at the top right and choose "Log out"',
  instagram: 'On instagram.com, open "More" and choose "Switch accounts" or "Log out"',
  threads: 'On threads.net, open the menu and choose "Log out"',
  youtube: 'On youtube.com, open your picture at the top right and choose "Switch account"',
  pinterest: 'On pinterest.com, open the menu at the top right and choose "Log out"',
  tiktok: 'On tiktok.com, open your profile picture and choose "Log out"',
  bluesky: 'Bluesky app passwords belong to one account: create one while signed in to the account to reconnect (Settings → Privacy and security → App passwords) and enter that account\'s handle with it',
};

/** Renders the wrong-account page and answers true when `identity` is not the account being reconnected. */
export async function refuseWrongAccount(
  deps: { models: Models; key: TokenKeyring },
  req: Request,
  res: Response,
  input: {
    platform: PlatformId;
    penNameId: string;
    reconnectAccountId?: string;
    /** Who signed in. */
    identity: Identity;
    tokens: IssuedTokens;
    /** Platforms with a choice step: what the login can post to (the account reconnected must be among them). */
    targets?: Target[];
  },
): Promise<boolean> {
  if (!input.reconnectAccountId) return false;
  const expected = await findAccount(deps.models, input.reconnectAccountId);
  const cameBack = input.targets ?? [{ ...input.identity, kind: 'profile' as const }];
  if (!expected || expected.ownerId !== req.user!.id || cameBack.some((target) => target.externalId === expected.externalId)) return false;
  const name = PLATFORM_NAMES[input.platform];
  const pill = pillFor(expected, readerOf(req));
  req.session.connectChoice = sealChoice(deps.key, { platform: input.platform, penNameId: input.penNameId, targets: cameBack, tokens: input.tokens });
  await renderPage(
    res,
    'connect/wrong-account',
    {
      title: 'Another account came back',
      platformName: name,
      expected: { id: expected._id, handle: displayHandle(expected.handle), status: pill.label, detail: pill.detail, reconnectUrl: reconnectUrlFor(expected) },
      cameBack: { id: input.identity.externalId, handle: displayHandle(input.identity.handle), displayName: input.identity.displayName },
      // With a choice step, the login's Pages (organizations, channels) are offered on the choice page.
      offered: input.targets?.map((target) => displayHandle(target.handle)),
      switchHint: SWITCH_HINTS[input.platform] ?? `Sign out of ${name} in this browser`,
    },
    409,
  );
  return true;
}
