import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startExecution } from '../../src/app/executions.js';
import type { Execution } from '../../src/engine/execution.js';
import { browserMissing, ensureUiBuilt, launchBrowser, SCREENSHOTS } from '../support/browser.js';
import { testDialects } from '../support/databases.js';
import { TEST_INPUT_SEAL } from '../support/engine.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';

// The dashboard as the home page (issue 15): what ran, what failed, what runs now, what syncs moved,
// filtered by namespace and time range. One server on PGlite; every step waits on what the page shows.

const pglite = testDialects()[0];

const flow = (namespace: string, id: string, task: string) =>
  `id: ${id}\nnamespace: ${namespace}\ntasks:\n  - id: t\n    ${task}\n`;

describe.skipIf(browserMissing !== undefined)(
  browserMissing ?? 'the dashboard in Chromium',
  { timeout: 60_000 },
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let failed: Execution;
    let paused: Execution;
    const shot = (name: string, on: Page = page) =>
      on.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

    beforeAll(async () => {
      await ensureUiBuilt();
      [server, browser] = await Promise.all([startTestServer(pglite, { listen: true }), launchBrowser()]);
      const { engine } = server;
      await engine.run(flow('e2e.dash', 'greeter', 'type: log\n    message: hi'));
      await engine.run(flow('e2e.dash', 'greeter', 'type: log\n    message: hi'));
      failed = await engine.run(flow('e2e.dash', 'broken', 'type: fail'));
      await engine.run(flow('e2e.other', 'elsewhere', 'type: log\n    message: hi'));
      const held = await engine.deploy(flow('e2e.dash', 'held', 'type: io.kestra.plugin.core.flow.Pause'));
      paused = await startExecution(engine.db, held, {}, { inputSeal: TEST_INPUT_SEAL });
      await until(
        'the execution to pause',
        async () =>
          ((await fetch(`${server.base}/api/v1/executions/${paused.id}`).then((r) => r.json())) as Execution)
            .state.current === 'PAUSED',
        15_000,
      );
      // a connection's sync job that moved 1,234 rows and then one that failed
      for (const [id, state, rows] of [
        ['job-ok', 'SUCCESS', 1234],
        ['job-bad', 'FAILED', 0],
      ] as const) {
        await engine.db.query(
          `INSERT INTO executions (id, namespace, flow_id, flow_revision, state, doc, created, updated, ended)
           VALUES ($1, 'sluice.connections', 'conn-e2e', 1, $2, $3, now() - interval '1 minute', now(), now())`,
          [
            id,
            state,
            JSON.stringify({
              taskRunList: [
                { taskId: 'sync', outputs: { recordsCommitted: rows, bytesEmitted: rows * 100 } },
              ],
            }),
          ],
        );
      }
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.setDefaultTimeout(15_000);
    }, 120_000);
    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail') await shot(`failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    test('the home page is the dashboard: counts, success ratio, failures, running now, durations', async () => {
      await page.goto(`${server.base}/`);
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await expect.poll(() => page.getByTestId('total').innerText()).toBe('5');
      // 3 of the 4 ended executions succeeded
      expect(await page.getByTestId('success-ratio').innerText()).toBe('75.0 %');
      await page.getByTestId('failures').locator(`[data-execution="${failed.id}"]`).waitFor();
      await page.getByTestId('running').locator(`[data-execution="${paused.id}"]`).waitFor();
      expect(await page.getByTestId('running-count').innerText()).toBe('1');
      const greeter = page.getByTestId('durations').locator('tr[data-flow="e2e.dash.greeter"]');
      expect(await greeter.locator('td').nth(1).innerText()).toBe('2');
      // a bar of today holds the executions, its title says how many
      expect(await page.locator('.bar-chart svg').first().locator('rect.bar').count()).toBeGreaterThan(0);
      await shot('dashboard');
      // a failure links to its execution
      await page.getByTestId('failures').getByRole('link').first().click();
      await page.waitForURL(`**/executions/${failed.id}`);
    });

    test('syncs: rows and bytes moved, and the connection whose latest job failed', async () => {
      await page.goto(`${server.base}/`);
      await expect
        .poll(() => page.getByTestId('rows-synced').innerText())
        .toBe((1234).toLocaleString('en-US'));
      expect(await page.getByTestId('bytes-synced').innerText()).toBe('123 kB');
      const failing = page.getByTestId('failing-connections').locator('li');
      expect(await failing.count()).toBe(1);
      expect(await failing.innerText()).toContain('conn-e2e');
      expect(await failing.getByRole('link').getAttribute('href')).toBe('/connections/conn-e2e');
    });

    test('filters: a namespace keeps its own executions; the range lives in the URL', async () => {
      await page.goto(`${server.base}/`);
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await page.getByLabel('Namespace').selectOption('e2e.other');
      await expect.poll(() => page.getByTestId('total').innerText()).toBe('1');
      await page.getByText('No failure in this range.').waitFor();
      await page.getByLabel('Time range').selectOption('7d');
      await expect.poll(() => new URL(page.url()).search).toBe('?namespace=e2e.other&range=7d');
      await page.reload();
      await expect.poll(() => page.getByTestId('total').innerText()).toBe('1');
      expect(await page.getByLabel('Time range').inputValue()).toBe('7d');
    });

    test('phone width, light and dark: no horizontal scrolling', async () => {
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
      try {
        await phone.goto(`${server.base}/`);
        await expect.poll(() => phone.getByTestId('total').innerText()).toBe('5');
        const overflow = await phone.evaluate(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        );
        expect(overflow).toBe(0);
        await shot('dashboard-phone', phone);
        await phone.getByRole('button', { name: 'Toggle theme' }).click();
        await shot('dashboard-phone-dark', phone);
      } finally {
        await phone.close();
      }
    });
  },
);
