import { describe, expect, it } from 'vitest';
import { notificationEmail } from '../../../activities/notify/email.js';
import { buildNotificationText } from '../../../activities/notify/message.js';
import { displayHandle } from '../../../platforms/handle.js';

const subject = { accountId: 'acc-1', platform: 'linkedin' as const, handle: 'alice', penName: 'Acme <Brand>' };

describe('notification text', () => {
  it('an expiring notice names the platform, handle, deadline and reason and links to reconnect', () => {
    const deadline = Date.UTC(2027, 0, 21, 14, 5);
    const text = buildNotificationText(subject, 'expiring', { code: 'token_expiring', message: 'LinkedIn cannot renew this token automatically' }, deadline);
    expect(text.title).toBe('Reconnect LinkedIn @alice by 21 Jan 2027, 14:05 UTC');
    expect(text.body).toContain('LinkedIn cannot renew this token automatically.');
    expect(text.body).toContain('21 Jan 2027, 14:05 UTC');
    expect(text.link).toBe('/connections/acc-1/reconnect');
  });

  it('an expired notice says posts are paused; a recovered one links to the account', () => {
    const expired = buildNotificationText(subject, 'expired', { code: 'token_revoked', message: 'LinkedIn says the member revoked access.' });
    expect(expired.title).toBe('LinkedIn @alice needs reconnecting');
    expect(expired.body).toContain('revoked access.');
    expect(expired.body).not.toContain('..');
    expect(expired.body).toContain('paused');
    expect(buildNotificationText(subject, 'recovered').link).toBe('/connections#account-acc-1');
  });

  it('handles that are names are not prefixed with @', () => {
    expect(displayHandle('Alice Archer')).toBe('Alice Archer');
    expect(displayHandle('alice.bsky.social')).toBe('@alice.bsky.social');
    expect(displayHandle('@already_prefixed')).toBe('@already_prefixed');
    expect(displayHandle('@Channel Name')).toBe('Channel Name');
  });

  it('the email escapes HTML and carries the absolute link', () => {
    const text = buildNotificationText(subject, 'expired', { code: 'x', message: 'Bad <b>thing</b>' });
    const mail = notificationEmail({ from: 'Tether <t@x>', to: 'a@b.c', text, url: 'https://t.example/connections/acc-1/reconnect', actionLabel: 'Reconnect now', settingsUrl: 'https://t.example/settings/notifications' });
    expect(mail.subject).toBe(text.title);
    expect(mail.text).toContain('https://t.example/connections/acc-1/reconnect');
    expect(mail.html).toContain('Acme &lt;Brand&gt;');
    expect(mail.html).not.toContain('<b>thing</b>');
    expect(mail.text).toContain('Choose which emails you get: https://t.example/settings/notifications');
    expect(mail.html).toContain('<a href="https://t.example/settings/notifications">');
  });
});
