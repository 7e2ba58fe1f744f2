import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { browserMissing, ensureUiBuilt, launchBrowser, SCREENSHOTS } from '../support/browser.js';
import { testDialects } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The Namespaces page (issue 14 part 5): the namespace tree; per namespace its files (browse, edit,
// upload, delete), KV pairs, secrets (write-only), flows and executions. Every step waits on what the
// page shows.

const pglite = testDialects()[0];
const NS = 'e2e.ns';
const SECRET_VALUE = 'hunter2-never-in-the-page';

describe.skipIf(browserMissing !== undefined)(
  browserMissing ?? 'the Namespaces page in Chromium',
  { timeout: 60_000 },
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    const shot = (name: string, on: Page = page) =>
      on.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const api = (url: string, init?: RequestInit) =>
      fetch(`${server.base}/api/v1/namespaces/${NS}${url}`, init);
    const fileContent = (p: string) => api(`/files?path=${encodeURIComponent(p)}`).then((r) => r.text());

    beforeAll(async () => {
      await ensureUiBuilt();
      [server, browser] = await Promise.all([startTestServer(pglite, { listen: true }), launchBrowser()]);
      await server.engine.deploy(
        `id: reader\nnamespace: ${NS}\ntasks:\n  - id: t\n    type: log\n    message: hi\n`,
      );
      const form = new FormData();
      form.append('fileContent', new Blob(['greeting: hello\n']), 'hello.yml');
      await api('/files?path=/conf/hello.yml', { method: 'POST', body: form });
      await api('/secrets', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: 'API_TOKEN', value: SECRET_VALUE }),
      });
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.setDefaultTimeout(15_000);
    }, 120_000);
    afterEach(async ({ task }) => {
      page.removeAllListeners('dialog');
      if (task.result?.state === 'fail') await shot(`failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    test('the tree lists the namespace under its parent with what it holds, and opens it', async () => {
      await page.goto(`${server.base}/namespaces`);
      const row = page.locator(`tr[data-namespace="${NS}"]`);
      await row.waitFor();
      await page.locator('tr[data-namespace="e2e"]').waitFor();
      expect((await row.locator('td').allInnerTexts()).slice(1)).toEqual(['1', '1', '0', '1']);
      await shot('namespaces');
      await row.getByRole('link').click();
      await page.getByRole('heading', { name: NS }).waitFor();
      await page.getByRole('tab', { name: 'Files', selected: true }).waitFor();
    });

    test('files: browse into a directory, edit a file and save it', async () => {
      await page.goto(`${server.base}/namespaces/${NS}/files`);
      await page.locator('[data-file="conf"]').getByRole('button', { name: 'conf/', exact: true }).click();
      await page
        .locator('[data-file="hello.yml"]')
        .getByRole('button', { name: 'hello.yml', exact: true })
        .click();
      const line = page.locator('.cm-line', { hasText: 'greeting: hello' });
      await line.click();
      await page.keyboard.press('End');
      await page.keyboard.type(' world');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').filter({ hasText: '/conf/hello.yml saved.' }).waitFor();
      expect(await fileContent('/conf/hello.yml')).toBe('greeting: hello world\n');
      await shot('namespace-files');
    });

    test('files: a new file is created on save, an upload is listed, a delete asks first', async () => {
      await page.goto(`${server.base}/namespaces/${NS}/files`);
      await page.getByLabel('New file or directory in /').fill('notes.txt');
      await page.getByRole('button', { name: 'New file' }).click();
      await page.locator('.cm-content').click();
      await page.keyboard.type('remember');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.locator('[data-file="notes.txt"]').waitFor();
      expect(await fileContent('/notes.txt')).toBe('remember');

      await page.getByLabel('Upload a file').setInputFiles({
        name: 'data.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('a,b\n1,2\n'),
      });
      await page.locator('[data-file="data.csv"]').waitFor();
      expect(await fileContent('/data.csv')).toBe('a,b\n1,2\n');

      await page.getByRole('button', { name: 'Delete notes.txt' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await page.locator('[data-file="notes.txt"]').waitFor({ state: 'detached' });
      expect((await api('/files?path=/notes.txt')).status).toBe(404);
    });

    test('KV: set a value, show it with its type, delete it', async () => {
      await page.goto(`${server.base}/namespaces/${NS}/kv`);
      await page.getByLabel('Key').fill('region');
      await page.getByLabel(/^Value/).fill('"eu-west"');
      await page.getByRole('button', { name: 'Save value' }).click();
      const row = page.locator('tr[data-key="region"]');
      await row.getByRole('button', { name: 'Show' }).click();
      expect(await row.getByTestId('kv-value').innerText()).toBe('STRING eu-west');
      await row.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await row.waitFor({ state: 'detached' });
    });

    test('secrets: listed by key only, added through a password field, never shown', async () => {
      await page.goto(`${server.base}/namespaces/${NS}/secrets`);
      await page.locator('[data-secret="API_TOKEN"]').waitFor();
      expect(await page.getByLabel('Value').getAttribute('type')).toBe('password');
      await page.getByLabel('Key').fill('DB_PASSWORD');
      await page.getByLabel('Value').fill('another-secret-value');
      await page.getByRole('button', { name: 'Save secret' }).click();
      await page.locator('[data-secret="DB_PASSWORD"]').waitFor();
      const html = await page.content();
      expect([html.includes(SECRET_VALUE), html.includes('another-secret-value')]).toEqual([false, false]);
      await shot('namespace-secrets');
    });

    test('flows and executions of the namespace', async () => {
      await page.goto(`${server.base}/namespaces/${NS}/flows`);
      await page.getByRole('link', { name: 'reader' }).waitFor();
      await page.getByRole('tab', { name: 'Executions' }).click();
      await page.waitForURL(`**/namespaces/${NS}/executions`);
      await page.getByText('No execution matches.').waitFor();
    });

    test('phone width, light and dark: no horizontal scrolling', async () => {
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
      try {
        for (const url of ['/namespaces', `/namespaces/${NS}/files`, `/namespaces/${NS}/kv`]) {
          await phone.goto(`${server.base}${url}`);
          await phone.locator('h1').waitFor();
          await phone.waitForLoadState('networkidle');
          const overflow = await phone.evaluate(
            'document.documentElement.scrollWidth - document.documentElement.clientWidth',
          );
          expect(overflow, url).toBe(0);
        }
        await shot('namespace-kv-phone', phone);
        await phone.getByRole('button', { name: 'Toggle theme' }).click();
        await phone.goto(`${server.base}/namespaces/${NS}/files`);
        await phone.locator('[data-file="conf"]').waitFor();
        await shot('namespace-files-phone-dark', phone);
      } finally {
        await phone.close();
      }
    });
  },
);
