import { describe, expect, it } from 'vitest';
import { facetsFor } from '../../../platforms/bluesky-facets.js';
import { pdsAddressProblem, type AddressLookup } from '../../../platforms/pds-address.js';

const dns = (table: Record<string, string[]>): AddressLookup => async (host) => {
  const addresses = table[host];
  if (!addresses) throw new Error(`ENOTFOUND ${host}`);
  return addresses;
};
const live = (lookup: AddressLookup = dns({})) => ({ mode: 'live' as const, sandboxUrl: 'http://127.0.0.1:4010', lookup });
const sandbox = { mode: 'sandbox' as const, sandboxUrl: 'http://127.0.0.1:4010/' };

describe('which PDS addresses Tether calls', () => {
  it('live: https on a public host name whose every address is public', async () => {
    const lookup = dns({ 'pds.example.net': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'], 'sneaky.example.net': ['93.184.216.34', '10.0.0.7'], 'rebound.example.net': ['::ffff:127.0.0.1'] });
    expect(await pdsAddressProblem('https://pds.example.net', live(lookup))).toBeUndefined();
    expect(await pdsAddressProblem('http://pds.example.net', live(lookup))).toBe('does not use https');
    expect(await pdsAddressProblem('https://sneaky.example.net', live(lookup))).toBe('resolves to a private address (10.0.0.7)');
    expect(await pdsAddressProblem('https://rebound.example.net', live(lookup))).toBe('resolves to a loopback address (::ffff:127.0.0.1)');
    expect(await pdsAddressProblem('https://unknown.example.net', live(lookup))).toBe('could not be resolved');
    expect(await pdsAddressProblem('https://user:pw@pds.example.net', live(lookup))).toBe('carries credentials');
  });

  it('live: refuses loopback, private, link-local (cloud metadata), CGNAT, IPv6 local literals and local names', async () => {
    const refused: [string, string][] = [
      ['https://127.0.0.1', 'is a loopback address'],
      ['https://10.1.2.3', 'is a private address'],
      ['https://192.168.0.10:2583', 'is a private address'],
      ['https://169.254.169.254', 'is a linkLocal address'],
      ['https://100.64.0.1', 'is a carrierGradeNat address'],
      ['https://[::1]', 'is a loopback address'],
      ['https://[fd00::1]', 'is a uniqueLocal address'],
      ['https://[fe80::1]', 'is a linkLocal address'],
      ['https://localhost:2583', 'is a local host name'],
      ['https://pds.localhost', 'is a local host name'],
      ['https://metadata.google.internal', 'is a local host name'],
      ['https://printer.local', 'is a local host name'],
      ['https://intranet', 'is a local host name'],
      ['not a url', 'is not a URL'],
    ];
    for (const [url, problem] of refused) expect(await pdsAddressProblem(url, live()), url).toBe(problem);
    expect(await pdsAddressProblem('https://93.184.216.34', live())).toBeUndefined();
  });

  it('sandbox: the sandbox’s own address is allowed; real-looking names are not resolved; the literal rules still hold', async () => {
    expect(await pdsAddressProblem('http://127.0.0.1:4010/pds.example.net', sandbox)).toBeUndefined();
    expect(await pdsAddressProblem('http://127.0.0.1:4010', sandbox)).toBeUndefined();
    expect(await pdsAddressProblem('https://pds.example.net', sandbox)).toBeUndefined();
    expect(await pdsAddressProblem('http://127.0.0.1:4011', sandbox)).toBe('does not use https');
    expect(await pdsAddressProblem('https://127.0.0.1:4011', sandbox)).toBe('is a loopback address');
    expect(await pdsAddressProblem('https://localhost', sandbox)).toBe('is a local host name');
  });
});

describe('Bluesky rich-text facets', () => {
  it('marks links and resolved mentions by UTF-8 byte offsets; an unresolved mention stays text', async () => {
    const text = 'Ça va 🙂 @bob.test → https://example.com/x and @ghost.test';
    const facets = await facetsFor(text, async (handle) => (handle === 'bob.test' ? 'did:plc:bob' : undefined));
    const bytes = (part: string) => {
      const at = text.indexOf(part);
      return { byteStart: Buffer.byteLength(text.slice(0, at)), byteEnd: Buffer.byteLength(text.slice(0, at + part.length)) };
    };
    expect(facets.map((f) => [f.index, f.features])).toEqual([
      [bytes('@bob.test'), [{ $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:bob' }]],
      [bytes('https://example.com/x'), [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com/x' }]],
    ]);
    // The code-unit offset would be wrong: "Ça" and the emoji take more bytes than UTF-16 units.
    expect(bytes('@bob.test').byteStart).not.toBe(text.indexOf('@bob.test'));
  });
});
