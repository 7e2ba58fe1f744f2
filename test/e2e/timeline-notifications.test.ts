import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { browserMissing, ensureUiBuilt, launchBrowser, SCREENSHOTS } from '../support/browser.js';
import { testDialects } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

// A connection's Timeline tab and the notification settings forms in Chromium: a sync whose first
// attempt fails shows on the timeline with its counts, its job row opens onto both attempts with the
// failure reason, and the installation's and the connection's webhook URLs are saved and shown masked.

const FIXTURES = fileURLToPath(new URL('../fixtures/connectors/', import.meta.url));

describe.skipIf(browserMissing !== undefined)(
  browserMissing ?? 'timeline and notification settings in the web UI, in Chromium',
  { timeout: 60_000 },
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let dir: string;
    let connectionId: string;
    const shot = (name: string) =>
      page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const post = async (url: string, body: unknown) =>
      (await (
        await fetch(`${server.base}${url}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as Record<string, string>;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'sluice-e2e-timeline-'));
      await ensureUiBuilt();
      [server, browser] = await Promise.all([
        startTestServer(testDialects()[0], { listen: true, engine: { observer: true } }),
        launchBrowser(),
      ]);
      for (const [name, kind, file] of [
        ['fixture', 'source', 'source.mjs'],
        ['jsonl', 'destination', 'destination.mjs'],
      ]) {
        await post('/api/v1/connector_definitions', {
          name,
          kind,
          command: [process.execPath, path.join(FIXTURES, file)],
        });
      }
      const source = await post('/api/v1/sources', {
        name: 'flaky',
        configuration: {
          sourceType: 'fixture',
          streams: [{ name: 'users', count: 12 }],
          stateEvery: 5,
          failureType: 'transient_error',
          failTimes: { times: 1, records: 5, counter: path.join(dir, 'count') },
        },
      });
      const destination = await post('/api/v1/destinations', {
        name: 'file',
        configuration: { destinationType: 'jsonl', path: path.join(dir, 'dest.jsonl') },
      });
      connectionId = (
        await post('/api/v1/connections', {
          name: 'flaky to file',
          sourceId: source.sourceId,
          destinationId: destination.destinationId,
          configurations: {
            streams: [{ name: 'users', syncMode: 'incremental_append', cursorField: ['updated_at'] }],
          },
        })
      ).connectionId;
      page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
      page.setDefaultTimeout(20_000);
    }, 120_000);
    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail') await shot(`failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    test('a sync retried after a transient failure: the job shows both attempts and the timeline its end', async () => {
      await page.goto(`${server.base}/connections/${connectionId}`);
      await page.getByRole('button', { name: 'Sync now' }).click();
      const row = page.locator('tr[data-status="succeeded"]');
      await row.waitFor();
      await expect(row.getByTestId('job-attempts').innerText()).resolves.toContain('2 attempts');
      await row.getByRole('button', { name: 'Logs' }).click();
      const failed = page.locator('.attempt[data-status="failed"] .attempt-failure');
      await expect(failed.innerText()).resolves.toMatch(
        /transient_error in the source, after some rows were committed/,
      );
      await page.getByRole('tab', { name: 'Timeline' }).click();
      const succeeded = page.locator('li[data-event-type="SYNC_SUCCEEDED"]');
      await succeeded.waitFor();
      await expect(succeeded.innerText()).resolves.toMatch(/12 rows .* 2 attempts/);
      await page.locator('li[data-event-type="SYNC_STARTED"]').waitFor();
      await shot('connection-timeline');
    });

    test("the connection's notification settings are saved, and its renaming shows on the timeline", async () => {
      await page.getByRole('tab', { name: 'Settings' }).click();
      await page
        .getByLabel('A sync fails: webhook URL')
        .fill('http://127.0.0.1:9/hooks/connection-secret-path');
      await page.getByLabel('Notify schema changes of this connection').uncheck();
      await page.getByRole('button', { name: 'Save notifications' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await expect(page.getByLabel('A sync fails: webhook URL').inputValue()).resolves.toBe(
        'http://127.0.0.1:9/**********',
      );
      await page.getByLabel('Name', { exact: true }).fill('flaky renamed');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByRole('heading', { name: 'flaky renamed' }).waitFor();
      await page.getByRole('tab', { name: 'Timeline' }).click();
      const update = page.locator('li[data-event-type="CONNECTION_SETTINGS_UPDATE"]');
      await expect(update.innerText()).resolves.toContain('name: "flaky to file" → "flaky renamed"');
    });

    test('the installation notification page saves Slack and webhook URLs and shows them masked', async () => {
      await page.getByRole('link', { name: 'Notifications' }).click();
      await page
        .getByLabel('A flow execution fails: Slack webhook URL')
        .fill('https://hooks.slack.com/services/T1/B2/very-secret');
      await page.getByRole('button', { name: 'Save notifications' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await page.reload();
      await expect(page.getByLabel('A flow execution fails: Slack webhook URL').inputValue()).resolves.toBe(
        'https://hooks.slack.com/**********',
      );
      expect(await page.content()).not.toContain('very-secret');
      await shot('notification-settings');
    });
  },
);
