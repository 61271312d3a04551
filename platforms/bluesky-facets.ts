// Links, mentions and hashtags in a Bluesky post become rich-text facets: UTF-8 byte ranges of the
// text with a feature each (Bluesky's "Links, mentions, and rich text" guide). Detection is the
// official @atproto/api RichText; a mention names a DID, so its handle is resolved, and a mention
// whose handle does not resolve stays plain text.

import { RichText } from '@atproto/api';

type Facet = NonNullable<RichText['facets']>[number];

export async function facetsFor(text: string, didOfHandle: (handle: string) => Promise<string | undefined>): Promise<Facet[]> {
  const rich = new RichText({ text });
  rich.detectFacetsWithoutResolution();
  const facets: Facet[] = [];
  for (const facet of rich.facets ?? []) {
    const mention = facet.features.find((feature) => feature.$type === 'app.bsky.richtext.facet#mention') as { did: string } | undefined;
    if (mention) {
      // Before resolution the feature holds the handle.
      const did = await didOfHandle(mention.did);
      if (!did) continue;
      mention.did = did;
    }
    facets.push(facet);
  }
  return facets;
}
