// The consent page every OAuth platform shows at its authorize path, and its form submission.

import type { Request, Response, Router } from 'express';
import type { PlatformId } from '../../platforms/types.js';
import { baseUrl, body } from './http.js';
import { PLATFORM_NAMES } from '../../platforms/types.js';
import { errorPage, escapeHtml, page } from './html.js';
import type { SandboxIdentity } from './model.js';
import { lifetime } from './settings.js';
import type { SandboxState } from './state.js';

export interface ConsentSpec {
  /** Platforms whose clients this dialog serves (the Facebook dialog serves facebook and instagram). */
  platforms: PlatformId[];
  /** Query parameter carrying the client id (TikTok: client_key). */
  clientIdParam?: string;
  /** How the scope parameter is split (TikTok and Pinterest use commas). */
  scopeSeparator?: RegExp;
  pkce: 'required' | 'optional' | 'none';
  /** Parameters the platform sends back when the user denies. */
  denyParams: Record<string, string>;
  /** Whether the grant comes with a refresh token. */
  offline(params: Record<string, string>, platform: PlatformId, identity: SandboxIdentity): boolean;
  /** Meta: show the user's Pages as checkboxes (field `choose`). */
  choosePages?: boolean;
  /**
   * The permissions this request may get, as the platform decides them from the app: by default the
   * `scope` parameter. A platform can refuse the whole sign-in (LinkedIn: a scope the app's products
   * lack) or take them from elsewhere (Facebook Login for Business: the `config_id`'s configuration).
   */
  scopesFor?(request: { clientId: string; params: Record<string, string>; requested: string[] }): ScopeDecision;
}

export type ScopeDecision =
  | { ok: true; scopes: string[] }
  /** Back to the redirect URI with these error parameters (the platform's own). */
  | { ok: false; redirect: Record<string, string> }
  /** An error page, no redirect. */
  | { ok: false; page: { title: string; message: string } };

const CONTROL_FIELDS = new Set(['decision', 'identity', 'choose']);

function stringParams(source: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value) && typeof value[0] === 'string') out[key] = value[0];
  }
  return out;
}

function redirectTo(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

type Checked =
  | { ok: true; platform: PlatformId; redirectUri: string; scopes: string[] }
  | { ok: false; page: { status: number; title: string; message: string; platform?: PlatformId } }
  | { ok: false; redirect: string };

function check(state: SandboxState, spec: ConsentSpec, params: Record<string, string>): Checked {
  const clientId = params[spec.clientIdParam ?? 'client_id'];
  const platform = state.platformOfClient(clientId, spec.platforms);
  const fallback = spec.platforms[0];
  if (!platform) {
    return { ok: false, page: { status: 400, title: 'Invalid client', message: `Unknown ${spec.clientIdParam ?? 'client_id'} "${clientId ?? ''}".`, platform: fallback } };
  }
  const redirectUri = params.redirect_uri;
  if (!redirectUri || !isHttpUrl(redirectUri)) {
    return { ok: false, page: { status: 400, title: 'Invalid redirect_uri', message: 'redirect_uri is missing or not an absolute http(s) URL.', platform } };
  }
  const stateParam = params.state;
  if (params.response_type !== 'code') {
    return { ok: false, redirect: redirectTo(redirectUri, { error: 'unsupported_response_type', error_description: 'response_type must be code', state: stateParam }) };
  }
  if (spec.pkce !== 'none') {
    const challenge = params.code_challenge;
    const method = params.code_challenge_method ?? 'plain';
    if (spec.pkce === 'required' && !challenge) {
      return { ok: false, redirect: redirectTo(redirectUri, { error: 'invalid_request', error_description: 'Missing required parameter [code_challenge].', state: stateParam }) };
    }
    if (challenge && !['S256', 'plain'].includes(method)) {
      return { ok: false, redirect: redirectTo(redirectUri, { error: 'invalid_request', error_description: 'Unsupported code_challenge_method.', state: stateParam }) };
    }
  }
  const requested = (params.scope ?? '').split(spec.scopeSeparator ?? /[\s]+/).map((s) => s.trim()).filter(Boolean);
  const decision = spec.scopesFor?.({ clientId: clientId ?? '', params, requested }) ?? { ok: true, scopes: requested };
  if ('redirect' in decision) return { ok: false, redirect: redirectTo(redirectUri, { ...decision.redirect, state: stateParam }) };
  if ('page' in decision) return { ok: false, page: { status: 400, ...decision.page, platform } };
  return { ok: true, platform, redirectUri, scopes: decision.scopes };
}

function renderConsent(state: SandboxState, req: Request, spec: ConsentSpec, platform: PlatformId, params: Record<string, string>, scopes: string[]): string {
  const base = baseUrl(state, req);
  // An identity named in the URL (a login hint) is the only choice: a page listing thousands of
  // identities would make each consent cost as much as all of them.
  const hinted = params.identity ? state.identity(platform, params.identity) : undefined;
  const identities = hinted ? [hinted] : state.identitiesOf(platform);
  const hidden = Object.entries(params)
    .filter(([key]) => !CONTROL_FIELDS.has(key))
    .map(([key, value]) => `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value)}">`)
    .join('\n');
  const choices = identities
    .map((identity, index) => {
      const pages =
        spec.choosePages && identity.pages?.length
          ? `<div class="targets">${identity.pages
              .map(
                (p) =>
                  `<label><input type="checkbox" name="choose" value="${escapeHtml(p.id)}" checked> ${escapeHtml(p.name)}${p.instagram ? ` (Instagram @${escapeHtml(p.instagram.username)})` : ''}</label><br>`,
              )
              .join('')}</div>`
          : '';
      return `<label class="choice"><input type="radio" name="identity" value="${escapeHtml(identity.id)}"${index === 0 ? ' checked' : ''}>
<img src="${escapeHtml(base + identity.avatarPath)}" alt=""><span><strong>${escapeHtml(identity.displayName)}</strong><br><span class="sub">@${escapeHtml(identity.handle)}</span></span></label>${pages}`;
    })
    .join('\n');
  const scopeList = scopes.length ? `<ul>${scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('')}</ul>` : '<p class="sub">No scopes requested.</p>';
  return page(
    `Authorize ${PLATFORM_NAMES[platform]}`,
    `<h1>Connect your ${escapeHtml(PLATFORM_NAMES[platform])} account</h1>
<p>The app <strong>${escapeHtml(params[spec.clientIdParam ?? 'client_id'] ?? state.clients[platform].clientId)}</strong> wants to:</p>${scopeList}
<form method="post" action="">
${hidden}
<p>Continue as:</p>
${choices || '<p class="sub">No identities; create one through the control API.</p>'}
<div class="buttons"><button class="deny" type="submit" name="decision" value="deny">Deny</button>
<button class="approve" type="submit" name="decision" value="approve">Approve</button></div>
</form>
<p class="notice">This is the Tether platform sandbox. No real account is involved.</p>`,
    platform,
  );
}

export function mountConsent(router: Router, path: string, state: SandboxState, spec: ConsentSpec): void {
  const respond = (res: Response, checked: Exclude<Checked, { ok: true }>) => {
    if ('redirect' in checked) res.redirect(302, checked.redirect);
    else res.status(checked.page.status).type('html').send(errorPage(checked.page.platform, checked.page.title, checked.page.message));
  };

  router.get(path, (req, res) => {
    const params = stringParams(req.query as Record<string, unknown>);
    const checked = check(state, spec, params);
    if (!checked.ok) return respond(res, checked);
    res.type('html').send(renderConsent(state, req, spec, checked.platform, params, checked.scopes));
  });

  router.post(path, (req, res) => {
    const raw = body(req);
    const params = stringParams(raw);
    const checked = check(state, spec, params);
    if (!checked.ok) return respond(res, checked);
    const { platform, redirectUri, scopes } = checked;
    if (params.decision !== 'approve') {
      res.redirect(302, redirectTo(redirectUri, { ...spec.denyParams, state: params.state }));
      return;
    }
    const identity = params.identity ? state.identity(platform, params.identity) : state.identitiesOf(platform)[0];
    if (!identity) {
      res.status(400).type('html').send(errorPage(platform, 'Unknown identity', `No ${PLATFORM_NAMES[platform]} identity "${params.identity ?? ''}".`));
      return;
    }
    const chosen = raw.choose === undefined ? undefined : ([] as unknown[]).concat(raw.choose).filter((v): v is string => typeof v === 'string');
    const code = state.codes.create(
      {
        platform,
        clientId: params[spec.clientIdParam ?? 'client_id'] ?? state.clients[platform].clientId,
        redirectUri,
        userId: identity.id,
        scopes,
        codeChallenge: spec.pkce === 'none' ? undefined : params.code_challenge,
        codeChallengeMethod: params.code_challenge_method,
        offline: spec.offline(params, platform, identity),
        targetIds: spec.choosePages ? chosen?.filter((id) => identity.pages?.some((p) => p.id === id)) : undefined,
      },
      lifetime(state.settings, platform, 'codeSec') ?? 600,
    );
    res.redirect(302, redirectTo(redirectUri, { code: code.code, state: params.state }));
  });
}
