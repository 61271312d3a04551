// Every pinned infrastructure version, in one place. tools/ferretdb/go.mod and
// tools/test-server/pom.xml carry the same numbers; a unit test keeps them in step.

export const VERSIONS = {
  /** `go install github.com/temporalio/cli/cmd/temporal@<v>`; later versions carry replace directives go install refuses. */
  temporalCli: 'v1.5.1',
  /** FerretDB embedded through tools/ferretdb (v2 needs a PostgreSQL extension Debian lacks). */
  ferretdb: 'v1.24.2',
  /** Maven artifact io.temporal:temporal-test-server. */
  temporalTestServer: '1.38.0',
} as const;
