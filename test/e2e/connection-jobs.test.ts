import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { browserMissing, ensureUiBuilt, launchBrowser, SCREENSHOTS } from '../support/browser.js';
import { testDialects } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The connection page while a job runs (issue 15, item 5): "Sync now" waits for the running job and
// never answers a second click with an error; "Cancel sync" stops it; a failed job's row says why.
// The fixture source is slowed down (delayMs) so that the job runs long enough to be watched; every
// step waits on an explicit state of the page, within the page's default timeout.

const pglite = testDialects()[0];
const FIXTURES = fileURLToPath(new URL('../fixtures/connectors/', import.meta.url));

describe.skipIf(browserMissing !== undefined)(
  browserMissing ?? 'a connection’s jobs in Chromium',
  { timeout: 60_000 },
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let files: string;
    const shot = (name: string) =>
      page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const post = async (url: string, body: unknown) => {
      const response = await fetch(`${server.base}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, string>;
    };
    const connection = async (name: string, source: object) => {
      const { sourceId } = await post('/api/v1/sources', {
        name: `${name} source`,
        configuration: { sourceType: 'e2e-fixture', ...source },
      });
      const { destinationId } = await post('/api/v1/destinations', {
        name: `${name} destination`,
        configuration: { destinationType: 'e2e-jsonl', path: path.join(files, `${name}.jsonl`) },
      });
      return (await post('/api/v1/connections', { name, sourceId, destinationId })).connectionId;
    };

    beforeAll(async () => {
      await ensureUiBuilt();
      files = await mkdtemp(path.join(tmpdir(), 'sluice-e2e-jobs-'));
      [server, browser] = await Promise.all([startTestServer(pglite, { listen: true }), launchBrowser()]);
      for (const [name, kind, file] of [
        ['e2e-fixture', 'source', 'source.mjs'],
        ['e2e-jsonl', 'destination', 'destination.mjs'],
      ]) {
        await post('/api/v1/connector_definitions', {
          name,
          kind,
          command: [process.execPath, FIXTURES + file],
        });
      }
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.setDefaultTimeout(15_000);
    }, 120_000);
    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail') await shot(`failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      if (files) await rm(files, { recursive: true, force: true });
    });

    test('"Sync now" waits while a job runs; "Cancel sync" stops the job and lets it sync again', async () => {
      // 200 records 100 ms apart: a job of some twenty seconds, cancelled long before its end
      const id = await connection('slow', { streams: [{ name: 'users', count: 200 }], delayMs: 100 });
      await page.goto(`${server.base}/connections/${id}`);
      const syncNow = page.getByRole('button', { name: 'Sync now' });
      await syncNow.click();
      const syncing = page.getByRole('button', { name: 'Syncing…' });
      await syncing.waitFor();
      expect(await syncing.isDisabled()).toBe(true);
      await page.locator('tr[data-status="running"], tr[data-status="pending"]').first().waitFor();
      await shot('connection-syncing');
      await page.getByRole('button', { name: 'Cancel sync' }).click();
      await page.locator('tr[data-status="cancelled"]').waitFor();
      await syncNow.waitFor();
      expect(await syncNow.isEnabled()).toBe(true);
      expect(await page.getByRole('alert').count()).toBe(0);
    });

    test('a failed job says why in its row', async () => {
      const id = await connection('failing', {
        streams: [{ name: 'users', count: 5 }],
        failAfter: 0,
        failureType: 'config_error',
      });
      await page.goto(`${server.base}/connections/${id}`);
      await page.getByRole('button', { name: 'Sync now' }).click();
      const failed = page.locator('tr[data-status="failed"]');
      await failed.waitFor();
      expect(await failed.getByTestId('job-failure').innerText()).toContain(
        'FIXTURE-FAILURE after 0 records',
      );
      await shot('connection-failed-job');
    });
  },
);
