import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Execution } from '../../src/engine/execution.js';
import { browserMissing, ensureUiBuilt, launchBrowser, SCREENSHOTS } from '../support/browser.js';
import { testDialects } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The journeys that lost work or misled (issue 15, "What loses work or misleads today"), each in
// Chromium against one shared server on PGlite. Every step waits on what the page shows.

const pglite = testDialects()[0];

describe.skipIf(browserMissing !== undefined)(
  browserMissing ?? 'the rough edges of the web UI, in Chromium',
  { timeout: 60_000 },
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let files: string;
    const shot = (name: string, on: Page = page) =>
      on.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const post = async <T>(url: string, body: unknown): Promise<T> => {
      const response = await fetch(`${server.base}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    const getExecution = async (id: string) =>
      (await fetch(`${server.base}/api/v1/executions/${id}`).then((r) => r.json())) as Execution;

    beforeAll(async () => {
      await ensureUiBuilt();
      files = await mkdtemp(path.join(tmpdir(), 'sluice-e2e-files-'));
      [server, browser] = await Promise.all([startTestServer(pglite, { listen: true }), launchBrowser()]);
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.setDefaultTimeout(15_000);
    }, 120_000);
    afterEach(async ({ task }) => {
      // a dialog left open by a failed step must not answer the next test's prompts
      page.removeAllListeners('dialog');
      if (task.result?.state === 'fail') await shot(`failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      if (files) await rm(files, { recursive: true, force: true });
    });

    test('2. an unsaved edit in the flow editor: leaving asks, and staying keeps the edit', async () => {
      await server.engine.deploy(
        'id: kept\nnamespace: e2e.edges\ntasks:\n  - id: t\n    type: log\n    message: one\n',
      );
      await page.goto(`${server.base}/flows/e2e.edges/kept`);
      await page.locator('.cm-line', { hasText: 'message: one' }).click();
      await page.keyboard.press('End');
      await page.keyboard.type(' two');
      const asked: string[] = [];
      page.once('dialog', (dialog) => {
        asked.push(dialog.message());
        void dialog.dismiss();
      });
      await page.getByRole('link', { name: 'Executions', exact: true }).click();
      await expect.poll(() => asked).toEqual(['Leave this page? Your changes to the flow are not saved.']);
      expect(new URL(page.url()).pathname).toBe('/flows/e2e.edges/kept');
      await page.locator('.cm-line', { hasText: 'message: one two' }).waitFor();
      // saved, it leaves without a word
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('revision 2').waitFor();
      await page.getByRole('link', { name: 'Executions', exact: true }).click();
      await page.waitForURL(/\/executions$/);
    });

    test('2. an unsaved edit of a source: leaving asks first', async () => {
      const source = await post<{ sourceId: string }>('/api/v1/sources', {
        name: 'Fake people',
        configuration: { sourceType: 'faker', count: 5 },
      });
      await page.goto(`${server.base}/sources/${source.sourceId}`);
      await page.getByLabel('Source name').fill('Fake people, renamed');
      let asked = '';
      page.once('dialog', (dialog) => {
        asked = dialog.message();
        void dialog.dismiss();
      });
      await page.getByRole('link', { name: 'Flows', exact: true }).click();
      await expect.poll(() => asked).toBe('Leave this page? Your changes to the source are not saved.');
      expect(await page.getByLabel('Source name').inputValue()).toBe('Fake people, renamed');
    });

    test('3. restart asks first, then the page follows the new attempt and takes no second click', async () => {
      const failed = await server.engine.run(
        'id: flaky\nnamespace: e2e.edges\ntasks:\n  - id: t\n    type: fail\n',
      );
      await page.goto(`${server.base}/executions/${failed.id}`);
      await page.locator('h1 [data-state="FAILED"]').waitFor();
      await page.getByRole('button', { name: 'Restart' }).click();
      const dialog = page.getByRole('dialog', { name: 'Restart this execution?' });
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect((await getExecution(failed.id)).taskRunList[0].attempts.length).toBe(1);

      await page.getByRole('button', { name: 'Restart' }).click();
      await dialog.getByRole('button', { name: 'Restart' }).click();
      // the page updates by itself: the second attempt shows in the Gantt chart (×2)
      await page.locator('.gantt-row[data-task-id="t"]', { hasText: '×2' }).waitFor();
      await page.locator('h1 [data-state="FAILED"]').waitFor();
      expect((await getExecution(failed.id)).taskRunList[0].attempts.length).toBe(2);
    });

    test('3. kill asks first, and the page shows the execution killed', async () => {
      await server.engine.deploy(
        'id: sleepy\nnamespace: e2e.edges\ntasks:\n  - id: nap\n    type: sleep\n    duration: PT30S\n',
      );
      const running = await post<Execution>('/api/v1/executions/e2e.edges/sleepy', {});
      await page.goto(`${server.base}/executions/${running.id}`);
      await page.getByRole('button', { name: 'Kill' }).click();
      await page
        .getByRole('dialog', { name: 'Kill this execution?' })
        .getByRole('button', { name: 'Kill' })
        .click();
      await page.locator('h1 [data-state="KILLED"]').waitFor();
    });

    test('4. a connection is no UUID flow: hidden from the lists, named after the connection, linked back', async () => {
      const source = await post<{ sourceId: string }>('/api/v1/sources', {
        name: 'Fakes',
        configuration: { sourceType: 'faker', count: 3 },
      });
      const destination = await post<{ destinationId: string }>('/api/v1/destinations', {
        name: 'Local files',
        configuration: { destinationType: 'file', destination_path: files },
      });
      const connection = await post<{ connectionId: string }>('/api/v1/connections', {
        name: 'Fakes to files',
        sourceId: source.sourceId,
        destinationId: destination.destinationId,
      });
      const job = await post<{ jobId: string }>('/api/v1/jobs', {
        connectionId: connection.connectionId,
        jobType: 'sync',
      });
      await expect
        .poll(async () => (await getExecution(job.jobId)).state.current, { timeout: 20_000 })
        .toBe('SUCCESS');

      await page.goto(`${server.base}/flows`);
      await page.getByRole('link', { name: 'kept', exact: true }).waitFor();
      expect(await page.getByText(connection.connectionId).count()).toBe(0);
      await page.getByLabel('Connections’ flows').check();
      await page.getByRole('link', { name: connection.connectionId }).waitFor();

      await page.goto(`${server.base}/executions`);
      await page.locator('tbody tr').first().waitFor();
      expect(await page.locator(`tr[data-execution="${job.jobId}"]`).count()).toBe(0);
      await page.getByLabel('Connections’ syncs').check();
      const row = page.locator(`tr[data-execution="${job.jobId}"]`);
      await row.getByRole('link', { name: 'connection Fakes to files' }).click();
      await page.waitForURL(new RegExp(`/connections/${connection.connectionId}$`));

      await page.goto(`${server.base}/executions/${job.jobId}`);
      await page.getByRole('link', { name: 'connection Fakes to files' }).waitFor();
      await page.goto(`${server.base}/flows/sluice.connections/${connection.connectionId}`);
      await page.getByRole('heading', { name: 'Fakes to files' }).waitFor();
      await page.getByRole('note').getByRole('link', { name: 'Fakes to files' }).waitFor();
      await shot('connection-flow');
    });
  },
);
