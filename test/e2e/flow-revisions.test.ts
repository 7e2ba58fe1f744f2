import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { browserMissing, ensureUiBuilt, launchBrowser, SCREENSHOTS } from '../support/browser.js';
import { testDialects } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

// A flow's revisions in Chromium (issue 15): the diff of two, restoring one, disabling and deleting.

const pglite = testDialects()[0];
const FIRST = 'id: revised\nnamespace: e2e.revisions\ntasks:\n  - id: t\n    type: log\n    message: first\n';
const SECOND = FIRST.replace('message: first', 'message: second');

describe.skipIf(browserMissing !== undefined)(
  browserMissing ?? 'the revisions of a flow, in Chromium',
  { timeout: 60_000 },
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    const revisions = async () =>
      (await fetch(`${server.base}/api/v1/flows/e2e.revisions/revised/revisions`).then((r) =>
        r.json(),
      )) as Array<{
        revision: number;
        source: string;
      }>;

    beforeAll(async () => {
      await ensureUiBuilt();
      [server, browser] = await Promise.all([startTestServer(pglite, { listen: true }), launchBrowser()]);
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.setDefaultTimeout(15_000);
    }, 120_000);
    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail') {
        await page.screenshot({ path: path.join(SCREENSHOTS, 'failed-flow-revisions.png'), fullPage: true });
      }
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    test('the Revisions tab marks the changed line, and restoring revision 1 saves it as revision 3', async () => {
      await server.engine.deploy(FIRST);
      await server.engine.deploy(SECOND);
      await page.goto(`${server.base}/flows/e2e.revisions/revised`);
      await page.getByText('e2e.revisions · revision 2').waitFor();
      await page.getByRole('tab', { name: 'Revisions' }).click();

      const diff = page.getByRole('table', { name: 'Changes from revision 1 to revision 2' });
      const changed = diff.locator('tr[data-kind="changed"]');
      await changed.waitFor();
      expect(await changed.count()).toBe(1);
      expect(await changed.locator('.diff-left').textContent()).toBe('    message: first');
      expect(await changed.locator('.diff-right').textContent()).toBe('    message: second');
      expect(await diff.locator('tr[data-kind="same"]').count()).toBe(5);

      await page.getByRole('button', { name: 'Restore revision 1' }).click();
      const dialog = page.getByRole('dialog', { name: 'Restore revision 1?' });
      await dialog.getByRole('button', { name: 'Restore' }).click();
      await page.getByText('e2e.revisions · revision 3').waitFor();
      const after = await revisions();
      expect(after.map((r) => r.revision)).toEqual([1, 2, 3]);
      expect(after[2].source).toBe(after[0].source);
    });

    test('disabling asks nothing and saves a revision; deleting asks, then goes back to the list', async () => {
      await page.goto(`${server.base}/flows/e2e.revisions/revised`);
      await page.getByRole('button', { name: 'Disable' }).click();
      await page.getByText('· disabled').waitFor();
      expect((await revisions()).at(-1)?.source).toContain('disabled: true');
      await page.getByRole('button', { name: 'Enable' }).click();
      await page.getByRole('button', { name: 'Disable' }).waitFor();

      await page.getByRole('button', { name: 'Delete' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete flow e2e.revisions.revised?' });
      await dialog.getByRole('button', { name: 'Delete' }).click();
      await page.waitForURL(/\/flows$/);
      expect((await fetch(`${server.base}/api/v1/flows/e2e.revisions/revised`)).status).toBe(404);
    });
  },
);
