import { describe, expect, it } from 'vitest';
import { apiVersionWarnings, linkedinVersionLife, metaGraphVersionLife, reportApiVersionSupport } from '../../../platforms/api-versions.js';

const at = (iso: string) => new Date(iso);

describe('API version end of support', () => {
  it('LinkedIn: published sunsets, else one year after release (mid-month), flagged as estimated', () => {
    expect(linkedinVersionLife('202510')).toEqual({ endsAt: at('2026-10-15T00:00:00Z'), published: true });
    expect(linkedinVersionLife('202603.01')).toEqual({ endsAt: at('2027-03-16T00:00:00Z'), published: true });
    expect(linkedinVersionLife('202607')).toEqual({ endsAt: at('2027-07-15T00:00:00Z'), published: false });
    expect(linkedinVersionLife('latest')).toBeUndefined();
  });

  it('Meta: the changelog date, none while Meta says TBD', () => {
    expect(metaGraphVersionLife('v20.0')).toEqual({ endsAt: at('2026-09-24T00:00:00Z'), published: true });
    expect(metaGraphVersionLife('v26.0')).toBeUndefined();
  });

  it('warns for a retired version and for one ending within 30 days, not for a current one', () => {
    const now = at('2026-12-03T12:00:00Z');
    const warnings = apiVersionWarnings({ linkedin: '202510', metaGraph: 'v20.0' }, now);
    expect(warnings.map((w) => [w.setting, w.endsAt])).toEqual([
      ['LINKEDIN_VERSION', '2026-10-15'],
      ['META_GRAPH_VERSION', '2026-09-24'],
    ]);
    expect(warnings[0]!.message).toBe('LinkedIn stopped supporting API version 202510 on 2026-10-15; set LINKEDIN_VERSION to a current version');
    expect(apiVersionWarnings({ linkedin: '202603', metaGraph: 'v25.0' }, now)).toEqual([]);
    const soon = apiVersionWarnings({ linkedin: '202603', metaGraph: 'v25.0' }, at('2027-03-01T00:00:00Z'));
    expect(soon.map((w) => w.message)).toEqual(['LinkedIn stops supporting API version 202603 on 2027-03-16; raise LINKEDIN_VERSION before then']);
  });

  it('the worker’s check logs each warning once', () => {
    const logged: string[] = [];
    reportApiVersionSupport({ linkedin: '202607', metaGraph: 'v25.0' }, (_fields, message) => logged.push(message), at('2027-08-01T00:00:00Z'));
    expect(logged).toEqual(['LinkedIn stopped supporting API version 202607 on 2027-07-15 (estimated from the platform’s support policy); set LINKEDIN_VERSION to a current version']);
  });
});
