import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { browserMissing, ensureUiBuilt, launchBrowser, SCREENSHOTS } from '../support/browser.js';
import { testDialects } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

// A SECRET input typed into the UI's execute form, in Debian's Chromium against a real server: the
// task gets it (its hash shows), and no page of the execution shows it, only the mask.

const TOKEN = 'ui-secret-Qx7-never-shown';

const FLOW = `id: vault
namespace: e2e.secrets
inputs:
  - id: token
    type: SECRET
tasks:
  - id: hash
    type: return
    format: "{{ inputs.token | sha256 }}"
  - id: shell
    type: io.kestra.plugin.scripts.shell.Commands
    env: { TOKEN: "{{ inputs.token }}" }
    commands: ['echo "the shell got $TOKEN"']
`;

const pglite = testDialects()[0];

describe.skipIf(browserMissing !== undefined)(
  browserMissing ?? 'a SECRET input in the web UI',
  { timeout: 60_000 },
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      await ensureUiBuilt();
      [server, browser] = await Promise.all([startTestServer(pglite, { listen: true }), launchBrowser()]);
      await server.engine.deploy(FLOW);
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.setDefaultTimeout(15_000);
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    test('typed in the execute form, the value reaches the task and every tab shows only the mask', async () => {
      await page.goto(`${server.base}/flows/e2e.secrets/vault`);
      await page.getByRole('button', { name: 'Execute' }).click();
      const field = page.locator('#input-token');
      expect(await field.getAttribute('type')).toBe('password');
      await field.fill(TOKEN);
      await page.getByRole('dialog').getByRole('button', { name: 'Execute' }).click();
      await page.waitForURL(/\/executions\/\w+$/);
      await page.locator('h1 [data-state="SUCCESS"]').waitFor({ timeout: 20_000 });

      const shown: string[] = [];
      await page.getByRole('tab', { name: 'Logs' }).click();
      await page.locator('.log-line', { hasText: 'the shell got ******' }).waitFor();
      shown.push(await page.locator('body').innerText());
      await page.getByRole('tab', { name: 'Outputs' }).click();
      const inputs = page.locator('.outputs section', { hasText: 'Inputs' }).locator('pre');
      await inputs.waitFor();
      expect(JSON.parse(await inputs.innerText())).toEqual({ token: '******' });
      // the task received the clear value: its hash is that of the token
      await page.getByText(createHash('sha256').update(TOKEN).digest('hex')).waitFor();
      shown.push(await page.locator('body').innerText());
      await page.screenshot({ path: path.join(SCREENSHOTS, 'secret-input.png'), fullPage: true });

      await page.goto(`${server.base}/executions`);
      await page.locator('tbody tr', { hasText: 'vault' }).first().waitFor();
      shown.push(await page.content());
      expect(shown.filter((text) => text.includes(TOKEN))).toEqual([]);
    });
  },
);
