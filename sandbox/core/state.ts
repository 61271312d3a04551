// Everything the sandbox knows, in memory. `reset()` returns it to the start state.

import { PLATFORM_IDS, type PlatformId } from '../../platforms/types.js';
import type { CallbackDelivery, SandboxIdentityView, SandboxSettings, SettingsPatch } from '../api-types.js';
import { Clock } from './clock.js';
import { CodeStore } from './codes.js';
import { CounterStore } from './counters.js';
import { FaultStore, TokenEndpointLimiter } from './faults.js';
import { defaultIdentities, loginPlatform } from './identities.js';
import type { SandboxIdentity, TokenRecord } from './model.js';
import { PostStore } from './posts.js';
import { applySettingsPatch, defaultSettings } from './settings.js';
import { TokenStore } from './tokens.js';

export interface SandboxLogger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface StateOptions {
  clients?: Partial<Record<PlatformId, ClientCredentials>>;
  /** LinkedIn's second app, the one with only the Community Management API; default `sandbox-linkedin-organization-client`. */
  linkedinOrganizationClient?: ClientCredentials;
  deauthorizeUrls?: SandboxSettings['deauthorizeUrls'];
  linkedinPartnerRefresh?: boolean;
  /** Settings to start from (and return to on reset), e.g. the TikTok app's audit state and verified domains. */
  settings?: SettingsPatch;
  publicUrl?: string;
  logger?: SandboxLogger;
}

export class SandboxState {
  readonly clock = new Clock();
  readonly clients: Record<PlatformId, ClientCredentials>;
  readonly linkedinOrganizationClient: ClientCredentials;
  readonly tokens = new TokenStore(this.clock);
  readonly codes = new CodeStore(this.clock);
  readonly posts = new PostStore();
  readonly faults = new FaultStore();
  readonly tokenLimiter = new TokenEndpointLimiter();
  readonly counters = new CounterStore();
  readonly callbacks: CallbackDelivery[] = [];
  settings: SandboxSettings;
  identities: Map<PlatformId, SandboxIdentity[]>;
  publicUrl?: string;
  readonly logger?: SandboxLogger;
  /** Platform modules' own records (containers, publish jobs...), cleared on reset. */
  private readonly bags = new Map<string, Map<string, unknown>>();

  constructor(private readonly options: StateOptions = {}) {
    this.clients = Object.fromEntries(
      PLATFORM_IDS.map((id) => [id, options.clients?.[id] ?? { clientId: `sandbox-${id}-client`, clientSecret: `sandbox-${id}-secret` }]),
    ) as Record<PlatformId, ClientCredentials>;
    this.linkedinOrganizationClient = options.linkedinOrganizationClient ?? {
      clientId: 'sandbox-linkedin-organization-client',
      clientSecret: 'sandbox-linkedin-organization-secret',
    };
    this.publicUrl = options.publicUrl?.replace(/\/$/, '');
    this.logger = options.logger;
    this.settings = this.initialSettings();
    this.identities = defaultIdentities();
  }

  private initialSettings(): SandboxSettings {
    const settings = defaultSettings(this.options.linkedinPartnerRefresh ?? false);
    settings.deauthorizeUrls = { ...this.options.deauthorizeUrls };
    if (this.options.settings) applySettingsPatch(settings, this.options.settings);
    return settings;
  }

  reset(): void {
    this.clock.reset();
    this.tokens.clear();
    this.codes.clear();
    this.posts.clear();
    this.faults.reset();
    this.tokenLimiter.reset();
    this.counters.reset();
    this.callbacks.length = 0;
    this.bags.clear();
    this.settings = this.initialSettings();
    this.identities = defaultIdentities();
  }

  bag<T>(name: string): Map<string, T> {
    let bag = this.bags.get(name);
    if (!bag) {
      bag = new Map();
      this.bags.set(name, bag);
    }
    return bag as Map<string, T>;
  }

  /** The platform whose OAuth client this is, among the candidates (Meta hosts serve two apps). */
  platformOfClient(clientId: string | undefined, candidates: PlatformId[]): PlatformId | undefined {
    return candidates.find((p) => this.appsOf(p).some((app) => app.clientId === clientId));
  }

  /** A platform's OAuth apps: one each, LinkedIn two (its Community Management app stands alone). */
  appsOf(platform: PlatformId): ClientCredentials[] {
    return platform === 'linkedin' ? [this.clients.linkedin, this.linkedinOrganizationClient] : [this.clients[platform]];
  }

  identitiesOf(platform: PlatformId): SandboxIdentity[] {
    const login = loginPlatform(platform);
    let list = this.identities.get(login);
    if (!list) {
      list = [];
      this.identities.set(login, list);
    }
    return list;
  }

  /** By id or handle. */
  identity(platform: PlatformId, idOrHandle: string): SandboxIdentity | undefined {
    const lowered = idOrHandle.toLowerCase();
    return this.identitiesOf(platform).find((i) => i.id === idOrHandle || i.handle.toLowerCase() === lowered);
  }

  /** The owner of a Facebook Page or linked Instagram account. */
  metaOwner(objectId: string): { user: SandboxIdentity; page: NonNullable<SandboxIdentity['pages']>[number] } | undefined {
    for (const user of this.identitiesOf('facebook')) {
      for (const page of user.pages ?? []) {
        if (page.id === objectId || page.instagram?.id === objectId) return { user, page };
      }
    }
    return undefined;
  }

  /**
   * Every account id a token acts for: faults and counters on any of them apply to it.
   * A user token covers the user's Pages, Instagram accounts, organizations and channel;
   * a Page token covers its user, its Page and the Page's Instagram account.
   */
  relatedIds(token: Pick<TokenRecord, 'platform' | 'userId' | 'targetId'>): string[] {
    const identity = this.identity(token.platform, token.userId);
    const ids = [token.userId];
    if (token.targetId) {
      ids.push(token.targetId);
      const page = identity?.pages?.find((p) => p.id === token.targetId);
      if (page?.instagram) ids.push(page.instagram.id);
      return ids;
    }
    for (const page of identity?.pages ?? []) {
      ids.push(page.id);
      if (page.instagram) ids.push(page.instagram.id);
    }
    for (const org of identity?.organizations ?? []) ids.push(org.id);
    if (identity?.channel) ids.push(identity.channel.id);
    return ids;
  }

  baseUrl(requestOrigin: string): string {
    return this.publicUrl ?? requestOrigin;
  }

  identityView(identity: SandboxIdentity, base: string): SandboxIdentityView {
    const { avatarPath, ...rest } = identity;
    return { ...rest, avatarUrl: `${base}${avatarPath}` };
  }
}
