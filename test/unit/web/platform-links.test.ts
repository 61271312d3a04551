import { describe, expect, it } from 'vitest';
import { platformUrlFilter } from '../../../web/platform-links.js';

describe('URLs from platforms', () => {
  const live = platformUrlFilter({ mode: 'live', sandboxUrl: 'http://127.0.0.1:4010' });
  const sandbox = platformUrlFilter({ mode: 'sandbox', sandboxUrl: 'http://127.0.0.1:4010' });

  it('shows https: URLs', () => {
    expect(live('https://x.com/ada/status/1')).toBe('https://x.com/ada/status/1');
    expect(live('https://pbs.twimg.com/a.png')).toBe('https://pbs.twimg.com/a.png');
  });

  it.each(['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'http://x.com/ada', 'data:image/png;base64,AAAA', '//evil.example/a.png', 'ftp://x', 'not a url', '', `https://x.com/${'a'.repeat(3000)}`])(
    'hides %j',
    (candidate) => {
      expect(live(candidate)).toBeUndefined();
      expect(sandbox(candidate)).toBeUndefined();
    },
  );

  it('hides what is not a string', () => {
    for (const candidate of [undefined, null, 12, ['https://x.com'], { href: 'https://x.com' }]) expect(live(candidate)).toBeUndefined();
  });

  it('allows the local sandbox over http in sandbox mode only', () => {
    expect(sandbox('http://127.0.0.1:4010/x/ada/status/1')).toBe('http://127.0.0.1:4010/x/ada/status/1');
    expect(live('http://127.0.0.1:4010/x/ada/status/1')).toBeUndefined();
    expect(sandbox('http://127.0.0.1:4011/x')).toBeUndefined();
  });
});
