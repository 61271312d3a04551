// The fixed fake people of each platform, and creation of new ones through the control API.

import { randomBytes, randomInt } from 'node:crypto';
import type { PlatformId } from '../../platforms/types.js';
import type { CreateIdentityInput } from '../api-types.js';
import type { SandboxIdentity } from './model.js';

/** Instagram (via Facebook Login) people are Facebook users; their IG accounts hang off their Pages. */
export function loginPlatform(platform: PlatformId): PlatformId {
  return platform === 'instagram' ? 'facebook' : platform;
}

const PEOPLE = [
  { key: 'alice', name: 'Alice Archer' },
  { key: 'bob', name: 'Bob Baker' },
  { key: 'carol', name: 'Carol Chen' },
] as const;

function avatar(platform: PlatformId, id: string): string {
  return `/_sandbox/avatar/${platform}/${encodeURIComponent(id)}.svg`;
}

function base(platform: PlatformId, id: string, handle: string, displayName: string): SandboxIdentity {
  return { platform, id, handle, displayName, avatarPath: avatar(platform, id), email: `${handle.split('.')[0]}@example.com` };
}

export function defaultIdentities(): Map<PlatformId, SandboxIdentity[]> {
  const map = new Map<PlatformId, SandboxIdentity[]>();
  const subscriptions = ['None', 'Premium', 'Basic'] as const;
  map.set(
    'x',
    PEOPLE.map((p, i) => ({
      ...base('x', `150000000000000000${i + 1}`, `sandbox_${p.key}`, p.name),
      subscriptionType: subscriptions[i],
      verifiedType: subscriptions[i] === 'None' ? 'none' : 'blue',
    })),
  );
  map.set(
    'linkedin',
    PEOPLE.map((p, i) => ({
      ...base('linkedin', `li${p.key.toUpperCase()}${i + 1}xYz`, `${p.key}-archer-${i + 1}`, p.name),
      organizations:
        i === 0
          ? [{ id: '10000001', name: 'Acme Corporation', vanityName: 'acme-corp' }]
          : i === 1
            ? [
                { id: '10000002', name: 'Baker Bakeries', vanityName: 'baker-bakeries' },
                { id: '10000003', name: 'Bob Consulting', vanityName: 'bob-consulting' },
              ]
            : [],
    })),
  );
  map.set(
    'facebook',
    PEOPLE.map((p, i) => ({
      ...base('facebook', `10000000000000${i + 1}`, p.key, p.name),
      pages: [
        {
          id: `20000000000000${i + 1}1`,
          name: `${p.name.split(' ')[0]}'s Shop`,
          category: 'Shopping & retail',
          instagram: { id: `178414000000000${i + 1}1`, username: `${p.key}_shop`, name: `${p.name.split(' ')[0]}'s Shop` },
        },
        { id: `20000000000000${i + 1}2`, name: `${p.name.split(' ')[0]}'s Blog`, category: 'Personal blog' },
      ],
    })),
  );
  map.set(
    'threads',
    PEOPLE.map((p, i) => base('threads', `700000000000000${i + 1}`, `${p.key}.threads`, p.name)),
  );
  map.set(
    'tiktok',
    // Alice keeps her account private (what an unaudited app needs); Bob and Carol are public.
    PEOPLE.map((p, i) => ({ ...base('tiktok', `-000${p.key.toUpperCase()}openid${i + 1}AbCdEfGh`, `${p.key}.tok`, p.name), privateAccount: i === 0 })),
  );
  map.set(
    'youtube',
    PEOPLE.map((p, i) => ({
      ...base('youtube', `11000000000000000000${i + 1}`, p.key, p.name),
      channel: { id: `UCsandbox${p.key.padEnd(5, 'x')}channel${i + 1}xx`.slice(0, 24), title: `${p.name} TV`, customUrl: `@${p.key}tv` },
    })),
  );
  map.set(
    'pinterest',
    PEOPLE.map((p, i) => ({
      ...base('pinterest', `54000000000000000${i + 1}`, `${p.key}pins`, p.name),
      boards: [
        { id: `55000000000000000${i + 1}1`, name: 'Recipes', privacy: 'PUBLIC' as const },
        { id: `55000000000000000${i + 1}2`, name: 'Travel ideas', privacy: 'PUBLIC' as const },
      ],
    })),
  );
  map.set('bluesky', [
    { ...base('bluesky', 'did:plc:sandboxalice7k2xq4ecbzr', 'alice.bsky.social', 'Alice Archer'), appPasswords: ['abcd-efgh-ijkl-mnop'] },
    { ...base('bluesky', 'did:plc:sandboxbob3m5nq7wx2tyup', 'bob.bsky.social', 'Bob Baker'), appPasswords: ['bbbb-cccc-dddd-eeee'] },
  ]);
  return map;
}

function digits(count: number): string {
  let out = String(randomInt(1, 10));
  while (out.length < count) out += String(randomInt(0, 10));
  return out;
}

export function generateAppPassword(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => letters[b % letters.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}-${chars.slice(12, 16)}`;
}

/** A new identity with the same shape as the defaults of its platform. */
export function newIdentity(input: CreateIdentityInput): SandboxIdentity {
  const platform = loginPlatform(input.platform);
  const displayName = input.displayName ?? input.handle;
  const idByPlatform: Record<PlatformId, () => string> = {
    x: () => digits(19),
    linkedin: () => `li${randomBytes(6).toString('base64url')}`,
    facebook: () => digits(15),
    instagram: () => digits(15),
    threads: () => digits(16),
    tiktok: () => `-000${randomBytes(12).toString('base64url')}`,
    youtube: () => digits(21),
    pinterest: () => digits(18),
    bluesky: () => `did:plc:${randomBytes(15).toString('hex').slice(0, 24)}`,
  };
  const id = input.id ?? idByPlatform[platform]();
  const identity = base(platform, id, input.handle, displayName);
  switch (platform) {
    case 'x':
      identity.subscriptionType = input.subscriptionType ?? 'None';
      identity.verifiedType = identity.subscriptionType === 'None' ? 'none' : 'blue';
      break;
    case 'linkedin':
      identity.organizations = [{ id: digits(8), name: `${displayName} Inc.`, vanityName: `${input.handle}-inc` }];
      break;
    case 'facebook':
      identity.pages = [
        {
          id: digits(15),
          name: `${displayName} Page`,
          category: 'Brand',
          instagram: { id: `1784${digits(13)}`, username: `${input.handle}_ig`, name: displayName },
        },
        { id: digits(15), name: `${displayName} Second Page`, category: 'Community' },
      ];
      break;
    case 'youtube':
      identity.channel = { id: `UC${randomBytes(16).toString('base64url').slice(0, 22)}`, title: `${displayName} Channel`, customUrl: `@${input.handle}` };
      break;
    case 'pinterest':
      identity.boards = [
        { id: digits(18), name: 'Ideas', privacy: 'PUBLIC' },
        { id: digits(18), name: 'Secret plans', privacy: 'SECRET' },
      ];
      break;
    case 'bluesky':
      identity.appPasswords = [generateAppPassword()];
      break;
    case 'tiktok':
      identity.privateAccount = input.privateAccount ?? false;
      break;
    default:
      break;
  }
  return identity;
}
