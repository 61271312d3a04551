import { readFileSync } from 'node:fs';
import type { Config } from './load.js';

/** Connection options for both `Connection` (client) and `NativeConnection` (worker): address, TLS, API key. */
export function temporalConnectionOptions(temporal: Config['temporal']) {
  const { tls, apiKey } = temporal;
  const read = (file: string | undefined) => (file ? readFileSync(file) : undefined);
  const clientCertPair =
    tls?.certPath && tls.keyPath ? { crt: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) } : undefined;
  return {
    address: temporal.address,
    tls: tls || apiKey ? { clientCertPair, serverRootCACertificate: read(tls?.caPath) } : undefined,
    apiKey,
    metadata: apiKey ? { 'temporal-namespace': temporal.namespace } : undefined,
  };
}
