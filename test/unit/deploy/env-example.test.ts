import { describe, expect, it } from 'vitest';
import { envSchema } from '../../../config/schema.js';
import { allStrings, parseEnvFile, readCompose, readRepoFile, referencedVariables } from './deploy-files.js';

const envExample = parseEnvFile(readRepoFile('.env.example'));
const schemaKeys = Object.keys(envSchema.shape) as Array<keyof typeof envSchema.shape>;
const composeVariables = new Set(
  ['docker-compose.yml', 'deploy/temporal-cloud.compose.yml'].flatMap((file) => allStrings(readCompose(file)).flatMap(referencedVariables)),
);

describe('.env.example', () => {
  it('lists every setting of config/schema.ts once', () => {
    const listed = envExample.order;
    expect(schemaKeys.filter((key) => !listed.includes(key))).toEqual([]);
    expect(listed.filter((name, index) => listed.indexOf(name) !== index)).toEqual([]);
  });

  it('lists nothing else but variables docker-compose reads', () => {
    const extra = envExample.order.filter((name) => !(name in envSchema.shape) && !composeVariables.has(name));
    expect(extra).toEqual([]);
  });

  it('leaves the required secrets empty, so no secret is committed and compose refuses to start until they are set', () => {
    expect([...envExample.active.entries()].filter(([, value]) => value !== '').map(([name]) => name)).toEqual(['PUBLIC_URL']);
    for (const name of ['SESSION_SECRET', 'TOKEN_ENCRYPTION_KEY', 'POSTGRES_PASSWORD', 'GRAFANA_ADMIN_PASSWORD', 'SMTP_URL']) expect(envExample.active.get(name)).toBe('');
  });

  it('gives PUBLIC_URL as a bare origin, which Caddy can use as its site address', () => {
    const url = new URL(envExample.active.get('PUBLIC_URL')!);
    expect(url.origin).toBe(envExample.active.get('PUBLIC_URL'));
    expect(url.port).toBe('');
  });

  it('shows only example values the schema accepts', () => {
    for (const [name, value] of envExample.commented) {
      if (!(name in envSchema.shape) || value === '') continue;
      const field = envSchema.shape[name as keyof typeof envSchema.shape];
      expect(field.safeParse(value).success, `${name}=${value}`).toBe(true);
    }
  });
});
