import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { insertExecution } from '../../src/db/engine-store.js';
import type { Execution } from '../../src/engine/execution.js';
import { browserMissing, ensureUiBuilt, launchBrowser, SCREENSHOTS } from '../support/browser.js';
import { testDialects } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The executions list as an operator uses it with many executions: pages with a total, text search,
// sorting, and bulk actions that ask first. The flows list shows each flow's last run and labels.
// One server and one browser for the file; every step waits on what the page shows.

const flow = (id: string, task: string, labels = '') => `id: ${id}
namespace: e2e.list
${labels}tasks:
  - id: t
    ${task}
`;
const GREETER = flow('greeter', 'type: log\n    message: hi', 'labels:\n  team: data\n');
const BROKEN = flow('broken', 'type: fail');
/** copies of a finished execution, made straight in the database: the paging needs many */
const COPIES = 40;

const pglite = testDialects()[0];

describe.skipIf(browserMissing !== undefined)(
  browserMissing ?? 'the executions list in Chromium',
  { timeout: 60_000 },
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    const failed: Execution[] = [];
    const shot = (name: string) =>
      page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const row = (id: string) => page.locator(`tr[data-execution="${id}"]`);

    beforeAll(async () => {
      await ensureUiBuilt();
      [server, browser] = await Promise.all([startTestServer(pglite, { listen: true }), launchBrowser()]);
      const { engine } = server;
      const greeted = await engine.run(GREETER);
      for (let i = 0; i < COPIES; i++) {
        const date = new Date(Date.parse(greeted.state.startDate) - (i + 1) * 60_000).toISOString();
        await insertExecution(engine.db, {
          ...greeted,
          id: `copy${String(i).padStart(4, '0')}`,
          state: { ...greeted.state, startDate: date, histories: [{ state: 'SUCCESS', date }] },
        });
      }
      failed.push(await engine.run(BROKEN), await engine.run(BROKEN));
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.setDefaultTimeout(15_000);
    }, 120_000);
    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail') await shot(`failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    test('43 executions: pages of 25 with the total, a text search, a sort by flow', async () => {
      await page.goto(`${server.base}/executions`);
      const range = page.getByTestId('page-range');
      await expect.poll(() => range.innerText()).toBe('1–25 of 43');
      await page.getByRole('button', { name: 'Next' }).click();
      await expect.poll(() => range.innerText()).toBe('26–43 of 43');
      await expect.poll(() => page.locator('tbody tr').count()).toBe(18);

      await page.getByLabel('Search executions').fill('brok');
      await expect.poll(() => range.innerText()).toBe('1–2 of 2');
      expect(await page.locator('tbody tr').first().innerText()).toContain('broken');

      await page.getByLabel('Search executions').fill('');
      await page.getByRole('button', { name: 'Flow' }).click();
      await expect.poll(() => page.locator('tbody tr').first().innerText()).toContain('greeter');
      await page.getByRole('button', { name: 'Flow' }).click();
      await expect.poll(() => page.locator('tbody tr').first().innerText()).toContain('broken');
      expect(new URL(page.url()).searchParams.get('sort')).toBe('flowId:asc');
      await shot('executions-paged');
    });

    test('bulk restart asks first, sends only the executions it fits, and says what it did', async () => {
      await page.goto(`${server.base}/executions?q=e2e.list`);
      await row(failed[0].id).getByRole('checkbox').check();
      await row(failed[1].id).getByRole('checkbox').check();
      await row('copy0000').getByRole('checkbox').check();
      await page.getByRole('toolbar').getByRole('button', { name: 'Restart' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('Restart 2 executions from their failed tasks?').waitFor();
      expect(await dialog.getByTestId('left-out').innerText()).toContain('1 execution of the selection is');
      await dialog.getByRole('button', { name: 'Restart' }).click();
      await page.getByRole('status').filter({ hasText: '2 executions restarted.' }).waitFor();
      // the executor ran the failed task again: a second attempt on each
      await expect
        .poll(async () => {
          const docs = await Promise.all(
            failed.map((e) =>
              fetch(`${server.base}/api/v1/executions/${e.id}`).then((r) => r.json() as Promise<Execution>),
            ),
          );
          return docs.map((d: Execution) => d.taskRunList[0].attempts.length);
        })
        .toEqual([2, 2]);
    });

    test('bulk labels and delete: chips appear on the rows, deleted rows leave the list', async () => {
      await page.goto(`${server.base}/executions?q=copy000`);
      await row('copy0001').getByRole('checkbox').check();
      await row('copy0002').getByRole('checkbox').check();
      await page.getByRole('toolbar').getByRole('button', { name: 'Set labels' }).click();
      await page.getByLabel('Labels (key:value, one per line)').fill('review:done');
      await page.getByRole('dialog').getByRole('button', { name: 'Set labels' }).click();
      await page.getByRole('status').filter({ hasText: '2 executions labelled.' }).waitFor();
      await row('copy0001').locator('[data-label="review:done"]').waitFor();

      await row('copy0003').getByRole('checkbox').check();
      await page.getByRole('toolbar').getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').getByText('This cannot be undone').waitFor();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('status').filter({ hasText: '1 execution deleted.' }).waitFor();
      await row('copy0003').waitFor({ state: 'detached' });
      await shot('executions-bulk');
    });

    test('the flows list shows each flow’s last run state and its labels', async () => {
      await page.goto(`${server.base}/flows?namespace=e2e.list`);
      const greeter = page.locator('tr', { has: page.getByRole('link', { name: 'greeter', exact: true }) });
      await greeter.locator('[data-label="team:data"]').waitFor();
      await greeter.getByTestId('last-run').locator('[data-state="SUCCESS"]').waitFor();
      const broken = page.locator('tr', { has: page.getByRole('link', { name: 'broken', exact: true }) });
      await broken.getByTestId('last-run').locator('[data-state]').waitFor();
      await shot('flows-last-run');
    });
  },
);
