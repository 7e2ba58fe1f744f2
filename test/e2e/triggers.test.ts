import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createSchedulerBackend } from '../../src/db/scheduler-store.js';
import type { Execution } from '../../src/engine/execution.js';
import { Scheduler } from '../../src/engine/scheduler.js';
import { browserMissing, ensureUiBuilt, launchBrowser, SCREENSHOTS } from '../support/browser.js';
import { testDialects } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The Triggers page (issue 15): every trigger with its flow, type, next and last run; the enabled
// switch, unlock, and a backfill with start, end, inputs and labels whose progress the row shows.
// The test drives the scheduler's passes itself, so that each step waits on one known change.

const pglite = testDialects()[0];
const HOUR = 3_600_000;

const FLOW = `id: nightly
namespace: e2e.trig
inputs:
  - id: region
    type: STRING
    defaults: home
tasks:
  - id: r
    type: return
    format: "{{ inputs.region }}"
triggers:
  - id: hourly
    type: schedule
    cron: "0 * * * *"
  - id: hook
    type: webhook
    key: e2e-triggers-key-8d1f0c2a97b4
`;

describe.skipIf(browserMissing !== undefined)(
  browserMissing ?? 'the Triggers page in Chromium',
  { timeout: 60_000 },
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let scheduler: Scheduler;
    const shot = (name: string, on: Page = page) =>
      on.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const row = (trigger: string) => page.locator(`tr[data-trigger="nightly.${trigger}"]`);
    const trigger = async () =>
      (
        (await fetch(`${server.base}/api/v1/triggers/search?flowId=nightly`).then((r) => r.json())) as {
          results: Array<{ triggerId: string; disabled: boolean; executionId: string | null }>;
        }
      ).results.find((t) => t.triggerId === 'hourly')!;

    beforeAll(async () => {
      await ensureUiBuilt();
      [server, browser] = await Promise.all([startTestServer(pglite, { listen: true }), launchBrowser()]);
      await server.engine.deploy(FLOW);
      scheduler = new Scheduler(createSchedulerBackend(server.engine.db));
      await scheduler.tick();
      // UTC in the page too, so that the backfill form's local times are the test's
      page = await browser.newPage({ viewport: { width: 1280, height: 800 }, timezoneId: 'UTC' });
      page.setDefaultTimeout(15_000);
    }, 120_000);
    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail') await shot(`failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    test('every trigger with its type and next run; only the Schedule one has a switch', async () => {
      await page.goto(`${server.base}/triggers`);
      await page.getByRole('heading', { name: 'Triggers' }).waitFor();
      await row('hourly').getByText('Schedule', { exact: true }).waitFor();
      expect(await row('hourly').getByTestId('next-run').innerText()).not.toBe('—');
      await row('hook').getByText('Webhook', { exact: true }).waitFor();
      expect(await row('hook').getByRole('switch').count()).toBe(0);
      await shot('triggers');
    });

    test('the switch disables and enables the trigger', async () => {
      await page.goto(`${server.base}/triggers`);
      const toggle = row('hourly').getByRole('switch', { name: 'hourly enabled' });
      await toggle.uncheck();
      await expect.poll(async () => (await trigger()).disabled).toBe(true);
      await expect.poll(() => toggle.isChecked()).toBe(false);
      await toggle.check();
      await expect.poll(async () => (await trigger()).disabled).toBe(false);
    });

    test('a backfill from start to end with an input and a label: its progress, then its executions', async () => {
      await page.goto(`${server.base}/triggers`);
      await row('hourly').getByRole('button', { name: 'Backfill' }).click();
      const dialog = page.getByRole('dialog');
      const start = new Date(Math.floor(Date.now() / HOUR) * HOUR - 10 * HOUR);
      const local = (d: Date) => d.toISOString().slice(0, 16);
      await dialog.getByLabel('Start').fill(local(start));
      await dialog.getByLabel('End (empty: now)').fill(local(new Date(start.getTime() + 2 * HOUR)));
      await dialog.getByLabel('Input region').fill('north');
      await dialog.getByLabel('Labels (key:value, one per line)').fill('reason:replay');
      await dialog.getByRole('button', { name: 'Start backfill' }).click();
      await dialog.waitFor({ state: 'detached' });
      const progress = row('hourly').getByTestId('backfill-progress');
      await progress.getByText('Backfilling: 0 of 3').waitFor();
      await shot('triggers-backfilling');
      await scheduler.tick();
      await progress.getByText('Backfill done: 3 of 3').waitFor();
      const found = (await fetch(`${server.base}/api/v1/executions/search?labels=reason:replay`).then((r) =>
        r.json(),
      )) as { results: Execution[] };
      expect(found.results.map((e) => e.inputs.region)).toEqual(['north', 'north', 'north']);
    });

    test('unlock shows for a trigger held by its execution, and releases it', async () => {
      await server.engine.db.query(
        `UPDATE triggers SET state = state || '{"executionId": "held-by-e2e"}' WHERE trigger_id = 'hourly'`,
      );
      await page.goto(`${server.base}/triggers`);
      await row('hourly').getByRole('button', { name: 'Unlock' }).click();
      await row('hourly').getByRole('button', { name: 'Unlock' }).waitFor({ state: 'detached' });
      expect((await trigger()).executionId).toBeNull();
    });

    test("the flow page shows the flow's next run and its triggers", async () => {
      await page.goto(`${server.base}/flows/e2e.trig/nightly`);
      await page.getByTestId('flow-next-run').waitFor();
      await page.getByRole('tab', { name: 'Triggers' }).click();
      await row('hourly').waitFor();
      await row('hook').waitFor();
    });

    test('phone width, light and dark: no horizontal scrolling', async () => {
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
      try {
        await phone.goto(`${server.base}/triggers`);
        await phone.locator('tr[data-trigger="nightly.hourly"]').waitFor();
        const overflow = await phone.evaluate(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        );
        expect(overflow).toBe(0);
        await shot('triggers-phone', phone);
        await phone.getByRole('button', { name: 'Toggle theme' }).click();
        await shot('triggers-phone-dark', phone);
      } finally {
        await phone.close();
      }
    });
  },
);
