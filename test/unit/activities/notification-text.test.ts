import { describe, expect, it } from 'vitest';
import { notificationEmail } from '../../../activities/notify/email.js';
import { buildNotificationText } from '../../../activities/notify/message.js';
import { displayHandle } from '../../../platforms/handle.js';

const subject = { accountId: 'acc-1', platform: 'linkedin' as const, handle: 'alice', penName: 'Acme <Brand>' };

describe('notification text', () => {
  it('an expiring notice names the platform, handle, deadline and reason and links to reconnect', () => {
    const deadline = Date.UTC(2027, 0, 21, 14, 5);
    const text = buildNotificationText(subject, 'expiring', 'UTC', { code: 'token_expiring', at: deadline }, deadline);
    expect(text.title).toBe('Reconnect LinkedIn @alice by 21 Jan 2027, 14:05 UTC');
    expect(text.body).toBe(
      'LinkedIn @alice (pen name “Acme <Brand>”) will stop working on 21 Jan 2027, 14:05 UTC. LinkedIn cannot renew this token automatically; it expires on 21 Jan 2027, 14:05 UTC — reconnect before then. Reconnect it to keep posting.',
    );
    expect(text.reason).toBe('LinkedIn cannot renew this token automatically; it expires on 21 Jan 2027, 14:05 UTC — reconnect before then');
    expect(text.link).toBe('/connections/acc-1/reconnect');
  });

  it("words every date in the owner's time zone, across a DST change", () => {
    // 29 Mar 2026, 01:30 UTC: Berlin's clocks went from 02:00 to 03:00 an hour before.
    const deadline = Date.UTC(2026, 2, 29, 1, 30);
    const text = buildNotificationText(subject, 'expiring', 'Europe/Berlin', { code: 'authorization_ending', at: deadline }, deadline);
    expect(text.title).toBe('Reconnect LinkedIn @alice by 29 Mar 2026, 03:30 Europe/Berlin');
    expect(text.body).toContain('will stop working on 29 Mar 2026, 03:30 Europe/Berlin.');
    expect(text.body).toContain('The LinkedIn authorization can no longer be renewed and ends on 29 Mar 2026, 03:30 Europe/Berlin — reconnect before then.');
    expect(text.body).not.toContain('UTC');
    const newYork = buildNotificationText(subject, 'expiring', 'America/New_York', { code: 'authorization_ending', at: deadline }, deadline);
    expect(newYork.title).toBe('Reconnect LinkedIn @alice by 28 Mar 2026, 21:30 America/New_York');
  });

  it('an expired notice says posts are paused; a recovered one links to the account', () => {
    const expired = buildNotificationText(subject, 'expired', 'UTC', { code: 'token_revoked', detail: 'LinkedIn says the member revoked access.' });
    expect(expired.title).toBe('LinkedIn @alice needs reconnecting');
    expect(expired.body).toContain('revoked access.');
    expect(expired.body).not.toContain('..');
    expect(expired.body).toContain('paused');
    expect(buildNotificationText(subject, 'recovered', 'UTC').link).toBe('/connections#account-acc-1');
  });

  it('handles that are names are not prefixed with @', () => {
    expect(displayHandle('Alice Archer')).toBe('Alice Archer');
    expect(displayHandle('alice.bsky.social')).toBe('@alice.bsky.social');
    expect(displayHandle('@already_prefixed')).toBe('@already_prefixed');
    expect(displayHandle('@Channel Name')).toBe('Channel Name');
  });

  it('the email escapes HTML and carries the absolute link', () => {
    const text = buildNotificationText(subject, 'expired', 'UTC', { code: 'rejected', detail: 'Bad <b>thing</b>' });
    const mail = notificationEmail({ from: 'Tether <t@x>', to: 'a@b.c', text, url: 'https://t.example/connections/acc-1/reconnect', actionLabel: 'Reconnect now', settingsUrl: 'https://t.example/settings/notifications' });
    expect(mail.subject).toBe(text.title);
    expect(mail.text).toContain('https://t.example/connections/acc-1/reconnect');
    expect(mail.html).toContain('Acme &lt;Brand&gt;');
    expect(mail.html).not.toContain('<b>thing</b>');
    expect(mail.text).toContain('Choose which emails you get: https://t.example/settings/notifications');
    expect(mail.html).toContain('<a href="https://t.example/settings/notifications">');
  });
});
