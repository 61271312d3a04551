// The dated API versions Tether sends, and when each platform stops serving them. LinkedIn refuses
// a retired `LinkedIn-Version` outright (HTTP 426); Meta moves calls to an expired Graph version up
// to the oldest one still available, which can change behaviour without notice. Either way the
// operator should raise the configured version first: the worker warns at start.
// Sources and dates checked: platforms/README.md ("API versions").

const DAY_MS = 86_400_000;

/** LinkedIn's migration table: version → sunset date. Newer versions are estimated (one year, mid-month). */
export const LINKEDIN_VERSION_SUNSETS: Readonly<Record<string, string>> = {
  '202510': '2026-10-15',
  '202511': '2026-11-16',
  '202601': '2027-01-15',
  '202602': '2027-02-15',
  '202603': '2027-03-16',
};
export const DEFAULT_LINKEDIN_VERSION = '202603';

/** Meta's Graph API changelog: version → "available until" (undefined while Meta says TBD). */
export const META_GRAPH_VERSION_ENDS: Readonly<Record<string, string | undefined>> = {
  'v17.0': '2025-09-12',
  'v18.0': '2026-01-26',
  'v19.0': '2026-05-21',
  'v20.0': '2026-09-24',
  'v21.0': '2027-01-21',
  'v22.0': '2027-05-20',
  'v23.0': '2027-10-08',
  'v24.0': '2028-02-18',
  'v25.0': '2028-07-29',
  'v26.0': undefined,
};
export const DEFAULT_META_GRAPH_VERSION = 'v25.0';

export const LINKEDIN_VERSION_PATTERN = /^(\d{4})(\d{2})(\.\d{2})?$/;
export const META_GRAPH_VERSION_PATTERN = /^v\d+\.\d+$/;

export interface VersionLife {
  /** The first day the platform no longer serves the version. */
  endsAt: Date;
  /** True when the date comes from the platform's published table, false when estimated from its policy. */
  published: boolean;
}

/** When a LinkedIn version stops working: the published sunset, else release + one year (LinkedIn's minimum). */
export function linkedinVersionLife(version: string): VersionLife | undefined {
  const published = LINKEDIN_VERSION_SUNSETS[version.slice(0, 6)];
  if (published) return { endsAt: new Date(`${published}T00:00:00Z`), published: true };
  const match = LINKEDIN_VERSION_PATTERN.exec(version);
  if (!match) return undefined;
  return { endsAt: new Date(Date.UTC(Number(match[1]) + 1, Number(match[2]) - 1, 15)), published: false };
}

/** The first month a LinkedIn version exists (a version from the future is not active yet either). */
export function linkedinVersionReleasedAt(version: string): Date | undefined {
  const match = LINKEDIN_VERSION_PATTERN.exec(version);
  return match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1)) : undefined;
}

export function metaGraphVersionLife(version: string): VersionLife | undefined {
  const ends = META_GRAPH_VERSION_ENDS[version];
  return ends ? { endsAt: new Date(`${ends}T00:00:00Z`), published: true } : undefined;
}

export interface ApiVersions {
  linkedin: string;
  metaGraph: string;
}

export interface VersionWarning {
  platform: string;
  setting: string;
  version: string;
  endsAt: string;
  message: string;
}

/** Versions past their end of support, or ending within `soonDays`. */
export function apiVersionWarnings(versions: ApiVersions, now: Date, soonDays = 30): VersionWarning[] {
  const checks = [
    { platform: 'LinkedIn', setting: 'LINKEDIN_VERSION', version: versions.linkedin, life: linkedinVersionLife(versions.linkedin) },
    { platform: 'Meta Graph API (Facebook, Instagram)', setting: 'META_GRAPH_VERSION', version: versions.metaGraph, life: metaGraphVersionLife(versions.metaGraph) },
  ];
  const warnings: VersionWarning[] = [];
  for (const { platform, setting, version, life } of checks) {
    if (!life) continue;
    const day = life.endsAt.toISOString().slice(0, 10);
    const how = life.published ? '' : ' (estimated from the platform’s support policy)';
    if (life.endsAt.getTime() <= now.getTime()) {
      warnings.push({ platform, setting, version, endsAt: day, message: `${platform} stopped supporting API version ${version} on ${day}${how}; set ${setting} to a current version` });
    } else if (life.endsAt.getTime() - now.getTime() <= soonDays * DAY_MS) {
      warnings.push({ platform, setting, version, endsAt: day, message: `${platform} stops supporting API version ${version} on ${day}${how}; raise ${setting} before then` });
    }
  }
  return warnings;
}

/** The worker's start-up check: one log line per configured version that is past (or near) its end. */
export function reportApiVersionSupport(versions: ApiVersions, warn: (fields: VersionWarning, message: string) => void, now = new Date()): void {
  for (const warning of apiVersionWarnings(versions, now)) warn(warning, warning.message);
}
