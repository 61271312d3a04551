import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../config/index.js';

const load = (env: Record<string, string>) => loadConfig({ TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-platform-settings-')), ...env });

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('platform settings', () => {
  it('defaults: LinkedIn member mode with a sandbox organization app, current API versions, unaudited TikTok without verified domains', () => {
    const { platforms } = load({});
    expect(platforms.linkedin).toEqual({
      mode: 'member',
      organizationClient: { clientId: 'sandbox-linkedin-organization-client', clientSecret: 'sandbox-linkedin-organization-secret' },
    });
    expect(platforms.apiVersions).toEqual({ linkedin: '202603', metaGraph: 'v25.0' });
    expect(platforms.loginConfigIds).toEqual({});
    expect(platforms.tiktok).toEqual({ audited: false, verifiedDomains: [] });
  });

  it('reads every platform choice', () => {
    const { platforms } = load({
      PLATFORM_MODE: 'live',
      LINKEDIN_MODE: 'organization',
      LINKEDIN_ORGANIZATION_CLIENT_ID: 'org-id',
      LINKEDIN_ORGANIZATION_CLIENT_SECRET: 'org-secret',
      LINKEDIN_VERSION: '202602',
      META_GRAPH_VERSION: 'v24.0',
      FACEBOOK_LOGIN_CONFIG_ID: '1234567890',
      TIKTOK_AUDITED: 'true',
      TIKTOK_VERIFIED_DOMAINS: 'media.example.com, https://cdn.example.net/tether/',
    });
    expect(platforms.linkedin).toEqual({ mode: 'organization', organizationClient: { clientId: 'org-id', clientSecret: 'org-secret' } });
    expect(platforms.apiVersions).toEqual({ linkedin: '202602', metaGraph: 'v24.0' });
    expect(platforms.loginConfigIds).toEqual({ facebook: '1234567890' });
    expect(platforms.tiktok).toEqual({ audited: true, verifiedDomains: ['media.example.com', 'https://cdn.example.net/tether/'] });
  });

  it('names each bad platform setting', () => {
    const problems = problemsOf({
      LINKEDIN_MODE: 'company',
      LINKEDIN_VERSION: '2026-03',
      META_GRAPH_VERSION: '25',
      TIKTOK_VERIFIED_DOMAINS: 'not a domain',
      LINKEDIN_ORGANIZATION_CLIENT_ID: 'only-the-id',
    });
    expect(problems.find((p) => p.startsWith('LINKEDIN_MODE:'))).toMatch(/member or organization/);
    expect(problems.find((p) => p.startsWith('LINKEDIN_VERSION:'))).toMatch(/YYYYMM/);
    expect(problems.find((p) => p.startsWith('META_GRAPH_VERSION:'))).toMatch(/v25\.0/);
    expect(problems.find((p) => p.startsWith('TIKTOK_VERIFIED_DOMAINS:'))).toMatch(/comma-separated/);
  });

  it('in live mode, organization mode needs the Community Management app and both of its credentials', () => {
    expect(problemsOf({ PLATFORM_MODE: 'live', LINKEDIN_MODE: 'organization' })).toEqual([
      'LINKEDIN_ORGANIZATION_CLIENT_ID: required when LINKEDIN_MODE=organization (the Community Management app)',
    ]);
    expect(problemsOf({ PLATFORM_MODE: 'live', LINKEDIN_ORGANIZATION_CLIENT_ID: 'org-id' })).toEqual([
      'LINKEDIN_ORGANIZATION_CLIENT_SECRET: required with LINKEDIN_ORGANIZATION_CLIENT_ID',
    ]);
    expect(load({ PLATFORM_MODE: 'live' }).platforms.linkedin).toEqual({ mode: 'member' });
  });
});
