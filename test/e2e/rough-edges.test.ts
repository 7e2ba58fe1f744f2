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

    test('1. a new flow with an id that exists is refused, and the page says so', async () => {
      await page.goto(`${server.base}/flows/new`);
      await page.locator('.cm-content').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(
        'id: kept\nnamespace: e2e.edges\ntasks:\n  - id: t\n    type: log\n    message: other\n',
      );
      await page.getByText('✓ Valid').waitFor();
      await page.getByRole('button', { name: 'Create' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: 'Not created: flow e2e.edges.kept already exists' })
        .waitFor();
      expect(new URL(page.url()).pathname).toBe('/flows/new');
    });

    test('7. the editor: Enter keeps the indentation, a typo in a type says what was meant, saving with errors asks first', async () => {
      await page.goto(`${server.base}/flows/new`);
      await page.locator('.cm-content').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText('id: typo\nnamespace: e2e.edges\ntasks:');
      await page.keyboard.press('Enter');
      await page.keyboard.type('- id: t');
      await page.keyboard.press('Enter');
      await page.keyboard.type('type: lgo');
      await page.keyboard.press('Escape');
      expect(await page.locator('.cm-line').allInnerTexts()).toEqual([
        'id: typo',
        'namespace: e2e.edges',
        'tasks:',
        '  - id: t',
        '    type: lgo',
      ]);
      await page.locator('.problem', { hasText: "unknown task type 'lgo' (did you mean 'log'?)" }).waitFor();

      await page.getByRole('button', { name: 'Create' }).click();
      const confirm = page.getByRole('dialog', { name: 'Save with 1 error?' });
      await confirm.getByText("line 5 unknown task type 'lgo'").waitFor();
      await confirm.getByRole('button', { name: 'Save anyway' }).click();
      // refused by the server: the banner names the line, once
      const banner = page.getByRole('alert');
      await banner.getByText('line 5:11', { exact: false }).waitFor();
      expect(await banner.locator('li').count()).toBe(1);
      await shot('editor-save-with-errors');
    });

    test('9. logs: newest first on the logs page, grown with the page, one-line timestamps', async () => {
      await server.engine.run(
        'id: talker\nnamespace: e2e.edges\ntasks:\n  - id: a\n    type: log\n    message: talk first\n  - id: b\n    type: log\n    message: talk second\n',
      );
      await page.goto(`${server.base}/logs?q=talk`);
      await expect
        .poll(() => page.locator('.log-line .log-message').allInnerTexts())
        .toEqual(['talk second', 'talk first']);
      expect(
        await page
          .locator('.log-lines')
          .evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).maxHeight),
      ).toBe('none');
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 800 });
        // a timestamp on one line is no taller than the one-word level beside it
        const ratios = await page
          .locator('.log-line')
          .evaluateAll((lines) =>
            lines.map(
              (l) =>
                l.querySelector('time')!.getBoundingClientRect().height /
                l.querySelector('.log-level')!.getBoundingClientRect().height,
            ),
          );
        expect(Math.max(...ratios), `at ${width} px`).toBeLessThan(1.2);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    test('9. a subflow’s execution is a link from its parent', async () => {
      await server.engine.deploy(
        'id: child\nnamespace: e2e.edges\ntasks:\n  - id: c\n    type: log\n    message: in the child\n',
      );
      const parent = await server.engine.run(
        'id: parent\nnamespace: e2e.edges\ntasks:\n  - id: call\n    type: subflow\n    namespace: e2e.edges\n    flowId: child\n',
      );
      const child = parent.taskRunList[0].outputs?.executionId as string;
      await page.goto(`${server.base}/executions/${parent.id}`);
      await page.locator('.gantt-row[data-task-id="call"]').getByRole('link').click();
      await page.waitForURL(new RegExp(`/executions/${child}$`));
      await page.goto(`${server.base}/executions/${parent.id}`);
      await page.getByRole('tab', { name: 'Outputs' }).click();
      await page.getByRole('link', { name: child }).click();
      await page.waitForURL(new RegExp(`/executions/${child}$`));
    });

    test('9. a paused execution: the header and the Gantt chart give the same duration', async () => {
      await server.engine.deploy('id: waits\nnamespace: e2e.edges\ntasks:\n  - id: hold\n    type: pause\n');
      const paused = await post<Execution>('/api/v1/executions/e2e.edges/waits', {});
      await page.goto(`${server.base}/executions/${paused.id}`);
      await page.locator('h1 [data-state="PAUSED"]').waitFor();
      // the time that has to pass for the two to drift apart, if one of them stood still
      await page.waitForTimeout(1500);
      // both read in one go, from one rendered frame
      const [header, gantt] = await page.evaluate<string[]>(`[
        document.querySelector('[data-testid="execution-duration"]').textContent,
        document.querySelector('.gantt-scale span:last-child').textContent,
      ]`);
      expect(header).toBe(gantt);
      expect(header).toMatch(/ s$/);
      await fetch(`${server.base}/api/v1/executions/${paused.id}/kill`, { method: 'DELETE' });
    });

    test('8. at 390 px no page scrolls sideways and no state badge breaks', async () => {
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
      try {
        const [execution] = (
          await fetch(`${server.base}/api/v1/executions/search?size=1`).then(
            (r) => r.json() as Promise<{ results: Execution[] }>,
          )
        ).results;
        for (const url of [
          '/flows',
          '/flows?connections=shown',
          '/flows/new',
          '/flows/e2e.edges/kept',
          '/executions',
          '/executions?connections=shown',
          `/executions/${execution.id}`,
          '/logs',
          '/connections',
          '/sources',
          '/destinations',
        ]) {
          await phone.goto(`${server.base}${url}`);
          await phone.locator('h1').first().waitFor();
          await phone.waitForLoadState('networkidle');
          const overflow = await phone.evaluate(
            'document.documentElement.scrollWidth - document.documentElement.clientWidth',
          );
          expect(overflow, url).toBe(0);
          const badgeHeights = await phone
            .locator('.badge')
            .evaluateAll((badges) => badges.map((b) => b.getBoundingClientRect().height));
          expect(Math.max(0, ...badgeHeights), url).toBeLessThan(24);
        }
        await shot('phone-executions', phone);
      } finally {
        await phone.close();
      }
    });
  },
);
