import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

// Typed search attributes operators filter on in Temporal UI, e.g.
//   TetherStatus = "expired" AND TetherPlatform = "x"
// Registered on the embedded dev server by tools/, and by the deployment on a real cluster.

export const STATUS = defineSearchAttributeKey('TetherStatus', SearchAttributeType.KEYWORD);
export const PLATFORM = defineSearchAttributeKey('TetherPlatform', SearchAttributeType.KEYWORD);
export const PEN_NAME = defineSearchAttributeKey('TetherPenName', SearchAttributeType.KEYWORD);
export const OWNER = defineSearchAttributeKey('TetherOwner', SearchAttributeType.KEYWORD);
/** Legacy: the access token's expiry, kept by workflows on the legacy lifecycle rules (schema 1) only. */
export const TOKEN_EXPIRES_AT = defineSearchAttributeKey('TetherTokenExpiresAt', SearchAttributeType.DATETIME);
export const NEXT_ACTION_AT = defineSearchAttributeKey('TetherNextActionAt', SearchAttributeType.DATETIME);
/** Until when Tether can act for the user (the grant's end; absent when it has none). */
export const GRANT_EXPIRES_AT = defineSearchAttributeKey('TetherGrantExpiresAt', SearchAttributeType.DATETIME);

/**
 * Who the account is, for operators. Given when its workflow starts (attributes set at the start
 * are not billed actions and add no event); the workflow upserts only those it finds different.
 */
export function identityAttributes(account: { platform: string; penName: string; ownerId: string }): SearchAttributePair[] {
  return [
    { key: PLATFORM, value: account.platform },
    { key: PEN_NAME, value: account.penName },
    { key: OWNER, value: account.ownerId },
  ];
}

export const ALL_SEARCH_ATTRIBUTES = [STATUS, PLATFORM, PEN_NAME, OWNER, TOKEN_EXPIRES_AT, NEXT_ACTION_AT, GRANT_EXPIRES_AT];

const CLI_TYPE_NAMES: Record<string, string> = {
  KEYWORD: 'Keyword',
  DATETIME: 'Datetime',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  KEYWORD_LIST: 'KeywordList',
};

/** `Name=Type` pairs as `temporal server start-dev --search-attribute` and `temporal operator search-attribute create` take them. */
export function searchAttributeCliArgs(): string[] {
  return ALL_SEARCH_ATTRIBUTES.map((key) => `${key.name}=${CLI_TYPE_NAMES[key.type]}`);
}
