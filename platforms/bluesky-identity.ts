// atproto identity resolution as the specs define it: a handle names a DID (the handle's own
// `https://<handle>/.well-known/atproto-did`, else `com.atproto.identity.resolveHandle` at the
// entryway, which also reads DNS TXT `_atproto.<handle>` records), and the DID's document names the
// account's PDS (did:plc at plc.directory, did:web at `https://<host>/.well-known/did.json`).

import { asRecord, asString } from './errors.js';
import type { PlatformHttp } from './http.js';
import { invalid, isFailure, ok, reauthRequired, transient } from './outcome.js';
import { pdsAddressProblem, type PdsAddressPolicy } from './pds-address.js';
import type { Failure, Outcome } from './types.js';

export const BLUESKY_ENTRYWAY = 'https://bsky.social';
const PLC_DIRECTORY = 'https://plc.directory';
const DID = /^did:(plc|web):[a-zA-Z0-9._:%-]+$/;

/** The `#atproto_pds` service endpoint of a DID document. */
export function pdsFromDidDoc(didDoc: unknown): string | undefined {
  const services = asRecord(didDoc)?.service;
  if (!Array.isArray(services)) return undefined;
  for (const service of services) {
    const record = asRecord(service);
    const id = asString(record?.id) ?? '';
    if ((id === '#atproto_pds' || id.endsWith('#atproto_pds')) && asString(record?.serviceEndpoint)) return asString(record?.serviceEndpoint)?.replace(/\/$/, '');
  }
  return undefined;
}

export function createIdentityResolver(http: PlatformHttp, policy: PdsAddressPolicy) {
  const name = 'Bluesky';

  /** The DID a handle names, or undefined when neither method finds one. Transport trouble is a failure. */
  async function didOfHandle(handle: string): Promise<string | undefined | Failure> {
    // The handle's own host is only asked when it is a public https host (the entryway is asked otherwise).
    if (!(await pdsAddressProblem(`https://${handle}/`, policy))) {
      const wellKnown = await http.send({ method: 'GET', url: `https://${handle}/.well-known/atproto-did`, headers: { accept: 'text/plain' } });
      const did = !isFailure(wellKnown) && wellKnown.status === 200 ? wellKnown.text?.trim() : undefined;
      if (did && DID.test(did)) return did;
    }
    const resolved = await http.send({ method: 'GET', url: `${BLUESKY_ENTRYWAY}/xrpc/com.atproto.identity.resolveHandle`, query: { handle } });
    if (isFailure(resolved)) return resolved;
    if (resolved.status >= 500 || resolved.status === 429) return transient(`${name} could not resolve the handle right now; try again`);
    const did = asString(asRecord(resolved.body)?.did);
    return resolved.status === 200 && did && DID.test(did) ? did : undefined;
  }

  /** The DID document of a did:plc or did:web. */
  async function didDocument(did: string): Promise<Outcome<unknown>> {
    const url = did.startsWith('did:web:') ? `https://${decodeURIComponent(did.slice('did:web:'.length)).replace(/:/g, '/')}/.well-known/did.json` : `${PLC_DIRECTORY}/${did}`;
    const response = await http.send({ method: 'GET', url });
    if (isFailure(response)) return response;
    if (response.status === 200 && asRecord(response.body)) return ok(response.body);
    if (response.status >= 500 || response.status === 429) return transient(`${name} could not look up the account's server right now; try again`);
    return reauthRequired('app_password_invalid', `${name} has no identity document for ${did}; check the handle`);
  }

  return {
    didOfHandle,

    /** handle or DID → the account's DID and PDS (checked by the PDS address rules). */
    async locate(identifier: string): Promise<Outcome<{ did: string; pdsUrl: string }>> {
      const did = DID.test(identifier) ? identifier : await didOfHandle(identifier);
      if (isFailure(did)) return did;
      if (!did) return reauthRequired('app_password_invalid', `${name} could not find the handle ${identifier}; check it (it looks like name.bsky.social or your own domain)`);
      const document = await didDocument(did);
      if (document.kind !== 'ok') return document;
      const pdsUrl = pdsFromDidDoc(document.value);
      if (!pdsUrl) return invalid(`${name}: the identity ${did} names no PDS, so there is nowhere to sign in`);
      const problem = await pdsAddressProblem(pdsUrl, policy);
      if (problem) return invalid(`Tether only signs in to a PDS at a public https address; this account's PDS (${pdsUrl}) ${problem}`);
      return ok({ did, pdsUrl });
    },
  };
}
