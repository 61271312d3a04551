// Which Bluesky PDS addresses Tether will send an app password to. The address comes from a DID
// document anyone can write, so it must not point Tether at itself or its network: in live mode a
// PDS must be https, named by a public host name (no localhost, *.local, *.internal, single labels)
// whose every address is public unicast, or be a public IP literal. In sandbox mode the sandbox
// answers for every real host name, so names are not resolved; the sandbox's own address (the one
// sandbox mode maps every platform URL to) is allowed.

import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import type { PlatformMode } from './base-url.js';

export type AddressLookup = (host: string) => Promise<string[]>;

export interface PdsAddressPolicy {
  mode: PlatformMode;
  sandboxUrl: string;
  /** Resolves a host name to its addresses (tests replace DNS). */
  lookup?: AddressLookup;
}

const systemLookup: AddressLookup = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** What is wrong with an address, or undefined when it is not public unicast. */
function addressProblem(address: string): string | undefined {
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? undefined : `a ${range} address`;
}

function localName(host: string): boolean {
  return !host.includes('.') || host === 'localhost' || ['.localhost', '.local', '.internal', '.home.arpa'].some((suffix) => host.endsWith(suffix));
}

/** Why Tether may not call this PDS, as the end of a sentence ("is not https"); undefined when it may. */
export async function pdsAddressProblem(url: string, policy: PdsAddressPolicy): Promise<string | undefined> {
  const sandboxBase = policy.sandboxUrl.replace(/\/$/, '');
  if (policy.mode === 'sandbox' && (url === sandboxBase || url.startsWith(`${sandboxBase}/`))) return undefined;
  return publicHttpsProblem(url, { resolve: policy.mode === 'live', lookup: policy.lookup });
}

/**
 * Why Tether may not fetch an address anyone could have written (a PDS, a media URL), as the end of
 * a sentence; undefined when it may: https, no credentials, and a public IP literal or a public host
 * name whose every address is public unicast (`resolve: false` skips the DNS step).
 */
export async function publicHttpsProblem(url: string, policy: { resolve: boolean; lookup?: AddressLookup }): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol !== 'https:') return 'does not use https';
  if (parsed.username || parsed.password) return 'carries credentials';
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (ipaddr.isValid(host)) {
    const problem = addressProblem(host);
    return problem ? `is ${problem}` : undefined;
  }
  if (localName(host)) return 'is a local host name';
  if (!policy.resolve) return undefined;
  let addresses: string[];
  try {
    addresses = await (policy.lookup ?? systemLookup)(host);
  } catch {
    return 'could not be resolved';
  }
  if (addresses.length === 0) return 'could not be resolved';
  for (const address of addresses) {
    const problem = ipaddr.isValid(address) ? addressProblem(address) : 'an unreadable address';
    if (problem) return `resolves to ${problem} (${address})`;
  }
  return undefined;
}
