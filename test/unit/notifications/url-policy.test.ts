import { describe, expect, test } from 'vitest';
import { slackBody } from '../../../src/notifications/messages.js';
import { keepMaskedUrls, maskUrl } from '../../../src/notifications/settings.js';
import { checkDestination } from '../../../src/notifications/url-policy.js';

describe('where a notification may go', () => {
  test('loopback and private addresses are allowed: the configuration is the administrator’s', async () => {
    for (const url of ['http://127.0.0.1:9/hook', 'http://[::1]:9/hook', 'https://10.1.2.3/hook']) {
      await expect(checkDestination(url)).resolves.toBeUndefined();
    }
  });

  test('the cloud metadata service and the rest of link-local space are refused', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[fe80::1]/x', 'http://0.0.0.0/x']) {
      await expect(checkDestination(url)).rejects.toThrow(/resolves to/);
    }
  });

  test('a scheme other than http and https is refused', async () => {
    await expect(checkDestination('file:///etc/passwd')).rejects.toThrow(/not http or https/);
  });
});

describe('webhook URLs in answers', () => {
  test('the mask shows the origin only', () => {
    expect(maskUrl('https://hooks.slack.com/services/T1/B2/secret?x=1')).toBe(
      'https://hooks.slack.com/**********',
    );
  });

  test('a mask sent back keeps the URL stored for the same event and channel, and no other', () => {
    const stored = {
      notificationSettings: {
        sendOnFailure: {
          notificationType: ['slack' as const],
          slackConfiguration: { webhook: 'https://hooks.slack.com/services/secret' },
        },
      },
    };
    const masked = {
      notificationSettings: {
        sendOnFailure: {
          notificationType: ['slack' as const],
          slackConfiguration: { webhook: 'https://hooks.slack.com/**********' },
        },
      },
    };
    expect(keepMaskedUrls(masked, stored)).toEqual(stored);
    const elsewhere = { notificationSettings: { sendOnSuccess: masked.notificationSettings.sendOnFailure } };
    expect(() => keepMaskedUrls(elsewhere, stored)).toThrow(/no such slack URL/);
  });
});

test("Slack's body escapes mrkdwn and carries the facts as fields", () => {
  const body = slackBody({
    event: 'sendOnFailure',
    title: 'Sync failed: a<b',
    message: 'x & y',
    facts: { jobId: 'j1', empty: null },
    timestamp: '2026-01-01T00:00:00Z',
  });
  expect(body).toEqual({
    text: 'Sync failed: a<b: x & y',
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: '*Sync failed: a&lt;b*' } },
      { type: 'section', text: { type: 'mrkdwn', text: 'x &amp; y' } },
      { type: 'section', fields: [{ type: 'mrkdwn', text: '*jobId*\nj1' }] },
    ],
  });
});
