import { configFromEnvironment } from '../config/index.js';
import { databaseServer, databaseServerName, temporalCli, timeSkippingServer, versionOf } from './binaries.js';
import { VERSIONS } from './versions.js';

// `npm run tools`: builds or resolves every infrastructure binary (first run only) and prints
// what will be used, with versions.

const config = configFromEnvironment();
const started = Date.now();
const [cli, db, timeSkipping] = await Promise.all([
  temporalCli({ explicitPath: config.tools.temporalCliPath }),
  databaseServer({ backend: config.mongo.embeddedBackend }),
  timeSkippingServer(),
]);

const rows: Array<[string, string, string]> = [
  ['Temporal CLI (dev server)', versionOf(cli, ['--version']), cli],
  db.kind === 'mongod'
    ? ['MongoDB (mongod on PATH)', versionOf(db.path, ['--version']), db.path]
    : [`${databaseServerName(db)}, embedded`, VERSIONS.ferretdb, db.path],
  ['Temporal test server (time skipping)', `${VERSIONS.temporalTestServer}; ${versionOf('java', ['-version'])}`, timeSkipping],
];
if (db.kind === 'ferretdb' && db.postgresql) rows.push(['PostgreSQL (FerretDB\'s storage)', versionOf(db.postgresql.postgres, ['--version']), db.postgresql.postgres]);
if (!config.mongo.embedded) rows.push(['MongoDB', 'external', 'MONGODB_URI']);
if (!config.temporal.embedded) rows.push(['Temporal', 'external', config.temporal.address]);

for (const [name, version, where] of rows) process.stdout.write(`${name.padEnd(38)} ${version}\n${''.padEnd(38)} ${where}\n`);
process.stdout.write(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
