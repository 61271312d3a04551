import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../tools/paths.js';
import { VERSIONS } from '../../../tools/versions.js';

describe('pinned infrastructure versions', () => {
  it('tools/ferretdb/go.mod requires the pinned FerretDB', () => {
    const goMod = readFileSync(path.join(repoRoot, 'tools/ferretdb/go.mod'), 'utf8');
    expect(goMod).toMatch(new RegExp(`github.com/FerretDB/FerretDB ${VERSIONS.ferretdb.replace(/\./g, '\\.')}\\b`));
  });

  it('tools/test-server/pom.xml defaults to the pinned test server', () => {
    const pom = readFileSync(path.join(repoRoot, 'tools/test-server/pom.xml'), 'utf8');
    expect(pom).toContain(`<temporal.test.server.version>${VERSIONS.temporalTestServer}</temporal.test.server.version>`);
  });
});
