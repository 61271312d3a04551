// Facebook Login as Facebook Pages and Instagram (via Facebook Login) use it: the dialog, code
// exchange plus long-lived exchange, debug_token, Page listing and permission removal. Business-type
// Meta apps use Facebook Login for Business, whose dialog takes a configuration id (`config_id`)
// that carries the permissions instead of a `scope` list.

import { z } from 'zod';
import { classifyGraphError } from './meta-errors.js';
import { buildUrl, positive, seconds, type AdapterDeps } from './oauth.js';
import { ok, reauthRequired } from './outcome.js';
import type { AccountRef, Credentials, Failure, Identity, IssuedTokens, Outcome } from './types.js';

export interface MetaLoginOptions {
  /** Permissions asked for with a plain `scope` (consumer apps). */
  scopes: string[];
  /** Graph API version of every call and of the dialog (`META_GRAPH_VERSION`). */
  graphVersion: string;
  /** Facebook Login for Business configuration; when set it replaces `scope`. */
  configId?: string;
}

const tokenSchema = z.looseObject({ access_token: z.string().min(1), expires_in: seconds });
const meSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  picture: z.looseObject({ data: z.looseObject({ url: z.string().optional() }).optional() }).optional(),
});
const debugSchema = z.object({
  data: z.looseObject({
    is_valid: z.boolean(),
    expires_at: z.number().optional(),
    data_access_expires_at: z.number().optional(),
    scopes: z.array(z.string()).optional(),
    user_id: z.string().optional(),
    error: z.looseObject({ code: z.number().optional(), subcode: z.number().optional(), message: z.string().optional() }).optional(),
  }),
});
const pageSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  access_token: z.string().min(1),
  tasks: z.array(z.string()).optional(),
  picture: z.looseObject({ data: z.looseObject({ url: z.string().optional() }).optional() }).optional(),
});
const pagesSchema = z.looseObject({
  data: z.array(pageSchema),
  paging: z.looseObject({ cursors: z.looseObject({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});
export type FacebookPage = z.infer<typeof pageSchema>;

const MAX_PAGE_REQUESTS = 10;

export interface TokenHealth {
  dataAccessLifetimeSec?: number;
  accessTokenLifetimeSec?: number;
  scopes?: string[];
}

export function createMetaLogin({ http, client }: AdapterDeps, options: MetaLoginOptions) {
  const name = http.platformName;
  const graphBase = `https://graph.facebook.com/${options.graphVersion}`;
  const dialogUrl = `https://www.facebook.com/${options.graphVersion}/dialog/oauth`;
  const classify = (response: Parameters<typeof classifyGraphError>[1]) => classifyGraphError(name, response, http.now());
  const appToken = `${client.clientId}|${client.clientSecret}`;
  const nowSec = () => Math.floor(http.now().getTime() / 1000);

  const secondsUntil = (epoch: number | undefined) => (epoch && epoch > 0 ? positive(epoch - nowSec()) : undefined);

  /** debug_token on any user or Page token; an invalid token is classified from its own error. */
  async function inspect(token: string): Promise<Outcome<TokenHealth>> {
    const result = await http.json(
      { method: 'GET', url: `${graphBase}/debug_token`, query: { input_token: token, access_token: appToken } },
      { schema: debugSchema, classify, what: 'the token check' },
    );
    if (result.kind !== 'ok') return result;
    const data = result.value.data;
    if (!data.is_valid) {
      if (data.error?.code !== undefined) {
        const body = { error: { code: data.error.code, error_subcode: data.error.subcode, message: data.error.message } };
        return classifyGraphError(name, { status: 400, headers: new Headers(), body, unreadable: false }, http.now());
      }
      return reauthRequired('token_invalid', `${name} says this connection's token is no longer valid — reconnect to continue`);
    }
    return ok({
      dataAccessLifetimeSec: secondsUntil(data.data_access_expires_at),
      accessTokenLifetimeSec: secondsUntil(data.expires_at),
      scopes: data.scopes,
    });
  }

  /** A user token for a long-lived one (about 60 days); also renews a long-lived token that has not expired. */
  async function longLived(userToken: string): Promise<Outcome<IssuedTokens>> {
    const long = await http.json(
      {
        method: 'GET',
        url: `${graphBase}/oauth/access_token`,
        query: { grant_type: 'fb_exchange_token', client_id: client.clientId, client_secret: client.clientSecret, fb_exchange_token: userToken },
      },
      { schema: tokenSchema, classify, what: 'the long-lived token exchange' },
    );
    if (long.kind !== 'ok') return long;
    // data_access_expires_at is informative; a failed check must not fail the connect or the renewal.
    const health = await inspect(long.value.access_token);
    return ok({
      accessToken: long.value.access_token,
      accessTokenLifetimeSec: positive(long.value.expires_in),
      dataAccessLifetimeSec: health.kind === 'ok' ? health.value.dataAccessLifetimeSec : undefined,
      scopes: health.kind === 'ok' ? health.value.scopes : undefined,
    });
  }

  return {
    classify,
    inspect,
    longLived,
    /** Graph API base URL with the configured version. */
    graph: graphBase,

    authorizationUrl: (state: string, redirectUri: string) =>
      buildUrl(http, dialogUrl, {
        client_id: client.clientId,
        redirect_uri: redirectUri,
        state,
        response_type: 'code',
        ...(options.configId ? { config_id: options.configId } : { scope: options.scopes.join(',') }),
      }),

    /** Code → short-lived user token → long-lived user token (about 60 days). */
    async exchangeCode(code: string, redirectUri: string): Promise<Outcome<IssuedTokens>> {
      const short = await http.json(
        {
          method: 'GET',
          url: `${graphBase}/oauth/access_token`,
          query: { client_id: client.clientId, client_secret: client.clientSecret, redirect_uri: redirectUri, code },
        },
        { schema: tokenSchema, classify: (r) => codeError(r), what: 'the sign-in' },
      );
      return short.kind === 'ok' ? longLived(short.value.access_token) : short;
    },

    async me(accessToken: string): Promise<Outcome<Identity>> {
      const result = await http.json(
        { method: 'GET', url: `${graphBase}/me`, query: { fields: 'id,name,picture', access_token: accessToken } },
        { schema: meSchema, classify, what: 'the profile request' },
      );
      if (result.kind !== 'ok') return result;
      const me = result.value;
      return ok({ externalId: me.id, handle: me.name ?? me.id, displayName: me.name ?? me.id, avatarUrl: me.picture?.data?.url });
    },

    /** Pages the person granted, each with its own (non-expiring) Page token. */
    async pages(userToken: string): Promise<Outcome<FacebookPage[]>> {
      const pages: FacebookPage[] = [];
      let after: string | undefined;
      for (let i = 0; i < MAX_PAGE_REQUESTS; i += 1) {
        const result = await http.json(
          {
            method: 'GET',
            url: `${graphBase}/me/accounts`,
            query: { fields: 'id,name,access_token,tasks,picture', limit: 100, after, access_token: userToken },
          },
          { schema: pagesSchema, classify, what: 'the list of Pages' },
        );
        if (result.kind !== 'ok') return result;
        pages.push(...result.value.data);
        after = result.value.paging?.cursors?.after;
        if (!result.value.paging?.next || !after) break;
      }
      return ok(pages);
    },

    /** Page tokens do not expire; "validate" checks them and reads the data-access deadline. */
    async validate(credentials: Credentials): Promise<Outcome<{ dataAccessLifetimeSec?: number }>> {
      const health = await inspect(credentials.accessToken);
      return health.kind === 'ok' ? ok({ dataAccessLifetimeSec: health.value.dataAccessLifetimeSec }) : health;
    },

    /** Nothing renews a Page token; a "refresh" confirms it still works and hands it back. */
    async refresh(credentials: Credentials): Promise<Outcome<IssuedTokens>> {
      const health = await inspect(credentials.accessToken);
      if (health.kind !== 'ok') return health;
      return ok({
        accessToken: credentials.accessToken,
        accessTokenLifetimeSec: health.value.accessTokenLifetimeSec,
        dataAccessLifetimeSec: health.value.dataAccessLifetimeSec,
        scopes: health.value.scopes ?? credentials.scopes,
      });
    },

    /**
     * DELETE /{user-id}/permissions removes the whole login, for every Page the person connected
     * through it. Meta accepts the app token for this, so it works with only a Page token stored;
     * if Meta refuses the app token, the account's own token is tried.
     */
    async revoke(account: AccountRef, credentials: Credentials): Promise<Outcome<{ revokedAtPlatform: boolean }>> {
      const userId = account.meta?.userId;
      if (!userId) return ok({ revokedAtPlatform: false });
      const remove = (token: string) =>
        http.expectSuccess({ method: 'DELETE', url: `${graphBase}/${encodeURIComponent(userId)}/permissions`, query: { access_token: token } }, classify);
      let result = await remove(appToken);
      if (result.kind === 'reauthRequired') result = await remove(credentials.accessToken);
      return result.kind === 'ok' ? ok({ revokedAtPlatform: true }) : result;
    },
  };

  function codeError(response: Parameters<typeof classifyGraphError>[1]): Failure {
    const failure = classify(response);
    // An invalid or used code comes back as OAuthException 100 ("This authorization code has been used").
    if (failure.kind === 'invalid' && /code/i.test(failure.message)) {
      return reauthRequired('authorization_code_invalid', `${name} did not accept the sign-in code (it may have expired or been used) — connect again`);
    }
    return failure;
  }
}

export type MetaLogin = ReturnType<typeof createMetaLogin>;
