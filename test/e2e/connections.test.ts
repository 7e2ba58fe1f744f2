import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { browserMissing, ensureUiBuilt, launchBrowser, SCREENSHOTS } from '../support/browser.js';
import { ensureCliBuilt } from '../support/cli.js';
import { testDialects } from '../support/databases.js';
import { adminUrl, databaseUrl } from '../support/postgres-urls.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The connections part of the web UI in Debian's Chromium, against a real server on PGlite and a real
// PostgreSQL as the destination: a faker source and a postgres destination made through the forms
// their specs render, a connection with picked streams, a sync, its job and the rows it wrote.
// Every step waits on what the page shows, never on time.

const PG_URL = process.env.SLUICE_TEST_DATABASE_URL;
const skipped =
  browserMissing ??
  (PG_URL
    ? undefined
    : 'connections in the web UI: skipped, SLUICE_TEST_DATABASE_URL is not set (the postgres destination needs a real PostgreSQL)');

const pglite = testDialects()[0];
/** records per faker stream */
const COUNT = 25;

describe.skipIf(skipped !== undefined)(
  skipped ?? 'connections in the web UI, in Chromium',
  { timeout: 60_000 },
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    /** the destination's own database, made for this file and dropped after it */
    const database = `sluice_e2e_${randomBytes(5).toString('hex')}`;
    let destinationDb: pg.Client;
    const shot = (name: string, on: Page = page) =>
      on.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: adminUrl(PG_URL!) });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };

    beforeAll(async () => {
      await admin(`CREATE DATABASE ${database}`);
      destinationDb = new pg.Client({ connectionString: databaseUrl(PG_URL!, database) });
      await destinationDb.connect();
      await Promise.all([ensureUiBuilt(), ensureCliBuilt()]);
      [server, browser] = await Promise.all([startTestServer(pglite, { listen: true }), launchBrowser()]);
      page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
      page.setDefaultTimeout(15_000);
    }, 120_000);
    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail') await shot(`failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      await destinationDb?.end();
      await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    });

    /** The labels of the connector form's fields, in the order the page shows them. */
    const formLabels = () => page.locator('.connector-form label.control-label').allInnerTexts();

    test("a faker source made through the form its spec renders, in the spec's order, passes its check", async () => {
      await page.goto(`${server.base}/sources/new`);
      await page.getByLabel('Connector').selectOption('faker');
      await page.getByLabel('Count').waitFor();
      expect(await formLabels()).toEqual(['Count', 'Seed', 'Records per slice']);
      await page.getByLabel('Source name').fill('Faker e2e');
      await page.getByLabel('Count').fill(String(COUNT));
      await shot('source-new');
      await page.getByRole('button', { name: 'Create source' }).click();
      await page.waitForURL(/\/sources\/[\w-]{36}$/);
      await page.getByRole('heading', { name: 'Faker e2e' }).waitFor();
      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.locator('[data-check="succeeded"]').waitFor();
      await shot('source');
    });

    test('a postgres destination: the secret is a password field; a wrong database fails its check with the reason, the right one passes', async () => {
      const url = new URL(PG_URL!);
      await page.goto(`${server.base}/destinations/new`);
      await page.getByLabel('Connector').selectOption('postgres');
      await page.getByLabel('Host').waitFor();
      expect(await formLabels()).toEqual([
        'Host*',
        'Port*',
        'Database Name*',
        'Default Schema*',
        'Username*',
        'Password',
        'SSL modes',
      ]);
      expect(await page.getByLabel('Password', { exact: true }).getAttribute('type')).toBe('password');
      await page.getByLabel('Destination name').fill('Warehouse');
      await page.getByLabel('Host').fill(url.hostname);
      await page.getByLabel('Port').fill(url.port || '5432');
      await page.getByLabel('Database Name').fill(`${database}_missing`);
      await page.getByLabel('Username').fill(decodeURIComponent(url.username));
      if (url.password)
        await page.getByLabel('Password', { exact: true }).fill(decodeURIComponent(url.password));
      await shot('destination-new');
      await page.getByRole('button', { name: 'Create destination' }).click();
      await page.waitForURL(/\/destinations\/[\w-]{36}$/);

      await page.getByRole('button', { name: 'Test connection' }).click();
      const failed = page.locator('[data-check="failed"]');
      await failed.waitFor();
      expect(await failed.innerText()).toContain(`${database}_missing`);

      await page.getByLabel('Database Name').fill(database);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('button', { name: 'Test connection' }).and(page.locator(':enabled')).click();
      await page.locator('[data-check="succeeded"]').waitFor();
      await shot('destination');
    });

    let connectionPath = '';

    test('a connection: discover, pick streams and modes, a cron schedule read back in words, then create it', async () => {
      await page.goto(`${server.base}/connections/new`);
      await page.getByLabel('Source', { exact: true }).selectOption({ label: 'Faker e2e (faker)' });
      await page.getByLabel('Destination', { exact: true }).selectOption({ label: 'Warehouse (postgres)' });
      for (const stream of ['users', 'products', 'purchases'])
        await page.locator(`.stream-row[data-stream="${stream}"]`).waitFor();
      await page.getByLabel('Sync purchases').uncheck();
      await page.getByLabel('Sync mode of users').selectOption('incremental_deduped_history');
      // faker defines both: the row says so rather than asking
      const users = page.locator('.stream-row[data-stream="users"]');
      expect(await users.locator('.stream-cell').allInnerTexts()).toEqual([
        expect.stringContaining('updated_at'),
        expect.stringContaining('id'),
      ]);
      await page.getByLabel('Schedule', { exact: true }).selectOption('cron');
      await page.getByLabel('Cron expression').fill('30 4 * * 1-5');
      await expect
        .poll(() => page.getByTestId('cron-description').innerText())
        .toBe('At 04:30, Monday through Friday');
      await page.getByLabel('Cron expression').fill('30 4 * *');
      await expect.poll(() => page.getByTestId('cron-description').innerText()).toMatch(/expression/i);
      await page.getByLabel('Cron expression').fill('0 0 3 * * ?');
      await expect.poll(() => page.getByTestId('cron-description').innerText()).toBe('At 03:00');
      await page.getByLabel('Stream prefix').fill('e2e_');
      await page.getByLabel('Name', { exact: true }).fill('Faker to the warehouse');
      await shot('connection-new');
      await page.getByRole('button', { name: 'Create connection' }).click();
      await page.waitForURL(/\/connections\/[\w-]{36}$/);
      connectionPath = new URL(page.url()).pathname;
      await page.getByRole('heading', { name: 'Faker to the warehouse' }).waitFor();
      await page.locator('.page-header', { hasText: 'At 03:00' }).waitFor();
      await page.getByText('No job yet').waitFor();
    });

    test('sync now: the job succeeds with its row count and logs, and the rows are in PostgreSQL', async () => {
      await page.goto(`${server.base}${connectionPath}`);
      await page.getByRole('button', { name: 'Sync now' }).click();
      const job = page.locator('tr[data-job]').first();
      await page.locator('tr[data-job][data-status="succeeded"]').waitFor({ timeout: 40_000 });
      expect(await job.getByTestId('job-rows').innerText()).toBe(String(2 * COUNT));
      expect(await job.getByTestId('job-duration').innerText()).toMatch(/\d+(\.\d+)? (ms|s)$/);
      await shot('connection-jobs');

      await job.getByRole('button', { name: 'Logs' }).click();
      const details = page.locator('.job-details');
      for (const stream of ['users', 'products'])
        expect(await details.locator(`tr[data-stream="${stream}"] td`).nth(1).innerText()).toBe(
          String(COUNT),
        );
      await details.locator('.attempt[data-attempt="1"] .log-line').first().waitFor();
      await shot('connection-job-logs');

      const count = async (table: string) =>
        Number((await destinationDb.query(`SELECT count(*) AS n FROM public."${table}"`)).rows[0].n);
      expect([await count('e2e_users'), await count('e2e_products')]).toEqual([COUNT, COUNT]);
      // beside the streams' tables only the destination's record of what it committed (docs/sync.md)
      const { rows } = await destinationDb.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      );
      expect(rows.map((r: { table_name: string }) => r.table_name)).toEqual([
        '_sluice_destination_state',
        'e2e_products',
        'e2e_users',
      ]);

      await page.getByRole('tab', { name: 'Streams' }).click();
      await page.locator('.stream-row[data-stream="users"]').waitFor();
      expect(await page.getByLabel('Sync purchases').isChecked()).toBe(false);
      await shot('connection-streams');
      await page.getByRole('tab', { name: 'Settings' }).click();
      await page.getByText('The stream state the next sync starts from').waitFor();
      await shot('connection-settings');
    });

    test("a stream's menu clears its data after a dialog asks; the other stream's rows stay", async () => {
      await page.goto(`${server.base}${connectionPath}`);
      await page.getByRole('tab', { name: 'Streams' }).click();
      const row = page.locator('.stream-jobs tr[data-stream="users"]');
      await row.getByLabel('actions for users').click();
      await row.getByRole('button', { name: 'Clear data' }).click();
      const dialog = page.getByRole('dialog', { name: 'Clear the data of users?' });
      await shot('connection-clear-stream');
      await dialog.getByRole('button', { name: 'Clear data' }).click();
      await page
        .locator('tr[data-job][data-status="succeeded"]', { hasText: 'clear' })
        .waitFor({ timeout: 40_000 });
      const count = async (table: string) =>
        Number((await destinationDb.query(`SELECT count(*) AS n FROM public."${table}"`)).rows[0].n);
      expect([await count('e2e_users'), await count('e2e_products')]).toEqual([0, COUNT]);
      await page.getByRole('tab', { name: 'Streams' }).click();
      await expect.poll(() => row.locator('td').nth(1).innerText()).toBe('1');
    });

    test('the lists; phone width without horizontal scrolling; the dark theme', async () => {
      await page.goto(`${server.base}/connections`);
      await page
        .locator('tbody tr', { hasText: 'Faker to the warehouse' })
        .locator('[data-status="succeeded"]')
        .waitFor();
      await shot('connections');
      for (const kind of ['sources', 'destinations']) {
        await page.goto(`${server.base}/${kind}`);
        await page.locator('tbody tr').first().waitFor();
        await shot(kind);
      }

      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        colorScheme: 'dark',
      });
      const phone = await context.newPage();
      phone.setDefaultTimeout(15_000);
      try {
        const pages: Array<[string, string, string]> = [
          ['/connections', 'tbody tr', 'phone-connections'],
          [connectionPath, 'tr[data-job]', 'phone-connection'],
          ['/sources', 'tbody tr', 'phone-sources'],
          ['/destinations/new', '#connector', 'phone-destination-new'],
          ['/connections/new', '#source', 'phone-connection-new'],
        ];
        for (const [url, ready, name] of pages) {
          await phone.goto(`${server.base}${url}`);
          await phone.locator(ready).first().waitFor();
          if (url === '/destinations/new') {
            await phone.getByLabel('Connector').selectOption('postgres');
            await phone.getByLabel('Host').waitFor();
          }
          if (url === '/connections/new') {
            await phone.getByLabel('Source', { exact: true }).selectOption({ label: 'Faker e2e (faker)' });
            await phone.locator('.stream-row[data-stream="users"]').waitFor();
          }
          const overflow = await phone.evaluate(
            'document.documentElement.scrollWidth - document.documentElement.clientWidth',
          );
          expect(overflow, url).toBe(0);
          expect(await phone.locator('html').getAttribute('data-theme')).toBe('dark');
          await shot(name, phone);
        }
      } finally {
        await context.close();
      }

      const dark = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
      try {
        const desktop = await dark.newPage();
        await desktop.goto(`${server.base}${connectionPath}`);
        // the newest job first: the clear of the test before
        await desktop.getByRole('button', { name: 'Logs' }).first().click();
        await desktop.locator('.attempt .log-line').first().waitFor();
        await shot('connection-dark', desktop);
      } finally {
        await dark.close();
      }
    });
  },
);
