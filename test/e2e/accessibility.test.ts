import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { browserMissing, ensureUiBuilt, launchBrowser } from '../support/browser.js';
import { testDialects } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

// axe-core, injected into each main page in Chromium, light and dark: no serious or critical
// violation (issue 15, "Done when").

const pglite = testDialects()[0];
const PAGES = [
  '/',
  '/flows',
  '/flows/e2e.a11y/hello',
  '/executions',
  '/logs',
  '/triggers',
  '/namespaces',
  '/namespaces/e2e.a11y/files',
  '/namespaces/e2e.a11y/kv',
  '/namespaces/e2e.a11y/secrets',
  '/connections',
  '/sources',
];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

describe.skipIf(browserMissing !== undefined)(
  browserMissing ?? 'accessibility of the main pages (axe-core)',
  { timeout: 120_000 },
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let axe: string;

    beforeAll(async () => {
      await ensureUiBuilt();
      axe = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
      [server, browser] = await Promise.all([startTestServer(pglite, { listen: true }), launchBrowser()]);
      await server.engine.run(
        'id: hello\nnamespace: e2e.a11y\ntriggers:\n  - id: daily\n    type: schedule\n    cron: "0 0 * * *"\ntasks:\n  - id: t\n    type: log\n    message: hi\n',
      );
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.setDefaultTimeout(15_000);
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    const audit = async (): Promise<string[]> => {
      const found: string[] = [];
      for (const url of PAGES) {
        await page.goto(`${server.base}${url}`);
        await page.locator('h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        await page.addScriptTag({ content: axe });
        const violations = (await page.evaluate(
          'axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)',
        )) as Violation[];
        for (const v of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))
          found.push(
            `${url}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
          );
      }
      return found;
    };

    test('no serious or critical violation on the main pages, light theme', async () => {
      expect(await audit()).toEqual([]);
    });

    test('no serious or critical violation on the main pages, dark theme', async () => {
      await page.goto(`${server.base}/flows`);
      await page.getByRole('button', { name: 'Toggle theme' }).click();
      expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
      expect(await audit()).toEqual([]);
    });
  },
);
