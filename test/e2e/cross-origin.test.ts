import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { waitForExecutionEnd } from '../../src/app/executions.js';
import { startExecution } from '../../src/app/executions.js';
import { browserMissing, ensureUiBuilt, launchBrowser, SCREENSHOTS } from '../support/browser.js';
import { testDialects } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

// A hostile web page in Debian's Chromium against a real server with no login (as `server local` on
// loopback runs): served from another origin (http://localhost:P2 against the API on
// http://127.0.0.1:P1), it sends every request a page may send without asking the server first, to
// every state-changing route the server registers, and changes nothing. A page that rebinds its own
// name to the server's address gets no answer. The UI itself, same-origin, still writes (its other
// journeys are test/e2e/ui.test.ts).

const pglite = testDialects()[0];
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const WEBHOOK = '/api/v1/executions/webhook/:namespace/:flowId/:key';
/** a name Chromium resolves to 127.0.0.1, as a rebinding DNS server would make it */
const REBOUND = 'rebound.test';

const VICTIM = 'id: victim\nnamespace: e2e.guard\ntasks:\n  - id: a\n    type: log\n    message: hi\n';
/** what a page would like to deploy: a shell command, run every minute */
const ATTACK = [
  'id: victim',
  'namespace: e2e.guard',
  'triggers:',
  '  - id: often',
  '    type: schedule',
  '    cron: "* * * * *"',
  'tasks:',
  '  - id: pwn',
  '    type: io.kestra.plugin.scripts.shell.Commands',
  '    commands: ["id > /tmp/pwned"]',
  '',
].join('\n');

/** Rows of the tables a request could change, as one comparable value per table. */
const TABLES = [
  'flows',
  'executions',
  'triggers',
  'secrets',
  'users',
  'api_tokens',
  'connector_definitions',
  'actors',
  'connections',
  'sync_connections',
];

describe.skipIf(browserMissing !== undefined)(
  browserMissing ?? 'a page from another origin, in Chromium',
  { timeout: 120_000 },
  () => {
    let server: TestServer;
    let evil: Server;
    let evilBase: string;
    let browser: Browser;
    let page: Page;
    let executionId: string;

    const snapshot = async () => {
      const rows: Record<string, unknown> = {};
      for (const table of TABLES) {
        const { rows: r } = await server.engine.db.query(
          `SELECT count(*)::int AS n, coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS h FROM ${table} t`,
        );
        rows[table] = r[0];
      }
      return rows;
    };

    beforeAll(async () => {
      await ensureUiBuilt();
      [server, browser] = await Promise.all([
        startTestServer(pglite, { listen: true }),
        launchBrowser([`--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`]),
      ]);
      const flow = await server.engine.deploy(VICTIM);
      executionId = (await startExecution(server.engine.db, flow, {})).id;
      await waitForExecutionEnd(server.engine.db, executionId, 100);
      evil = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>cute cats</title>');
      });
      await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
      evilBase = `http://localhost:${(evil.address() as AddressInfo).port}`;
      page = await browser.newPage();
      page.setDefaultTimeout(15_000);
    }, 120_000);
    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail')
        await page.screenshot({ path: path.join(SCREENSHOTS, `failed-cross-origin-${task.id}.png`) });
    });
    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => evil?.close(resolve));
      await server?.stop();
    });

    test('every state-changing route, every CORS-safelisted body, no-cors or not: nothing is created or changed', async () => {
      // the real names, so that each request would do its work if the server took it
      const params: Record<string, string> = { namespace: 'e2e.guard', flowId: 'victim', key: 'x' };
      const requests = server.routes
        .filter((r) => !SAFE.has(r.method) && r.url !== WEBHOOK)
        .map(({ method, url }) => ({
          method,
          url:
            server.base +
            url
              .replace(/:(\w+)/g, (_, name: string) =>
                name === 'id'
                  ? url.startsWith('/api/v1/executions')
                    ? executionId
                    : 'victim'
                  : (params[name] ?? 'x'),
              )
              .replace('*', 'x'),
        }));
      expect(requests.length).toBeGreaterThan(25);
      const before = await snapshot();

      await page.goto(evilBase);
      const sent = await page.evaluate(
        async ({ requests, attack }) => {
          const bodies = (): Array<[string | undefined, string | FormData]> => {
            const form = new FormData();
            form.set('file', new Blob([attack], { type: 'application/x-yaml' }), 'flow.yaml');
            return [
              ['text/plain', attack],
              [undefined, form], // multipart/form-data with the browser's boundary
              ['application/x-www-form-urlencoded', new URLSearchParams({ flow: attack }).toString()],
            ];
          };
          let count = 0;
          for (const { method, url } of requests) {
            for (const [type, body] of bodies()) {
              // a page may send POST without asking (no-cors); other methods only after a preflight
              const mode: 'no-cors' | 'cors' = method === 'POST' ? 'no-cors' : 'cors';
              await fetch(url, { method, mode, body, headers: type ? { 'content-type': type } : {} }).catch(
                () => undefined,
              );
              count++;
            }
          }
          return count;
        },
        { requests, attack: ATTACK },
      );
      expect(sent).toBe(requests.length * 3);
      expect(await snapshot()).toEqual(before);
    });

    test('a page that rebinds its name to the server gets no API answer', async () => {
      const port = new URL(server.base).port;
      const landing = await page.goto(`http://${REBOUND}:${port}/`);
      // the page is now same-origin with whatever answers at REBOUND:port, the server itself
      const read = await page.evaluate(async () => {
        const response = await fetch('/api/v1/flows/search');
        return { status: response.status, text: await response.text() };
      });
      expect([landing?.status(), read.status, read.text.includes('victim')]).toEqual([421, 421, false]);
    });

    test('the UI, same-origin: "New flow" with an id that exists is refused and says so; the flow stays', async () => {
      const before = await snapshot();
      await page.goto(`${server.base}/flows/new`);
      await page.locator('.cm-content').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(VICTIM.replace('message: hi', 'message: overwritten'));
      await page.getByText('✓ Valid').waitFor();
      await page.getByRole('button', { name: 'Create' }).click();
      const alert = page.getByRole('alert');
      await alert.getByText('flow e2e.guard.victim already exists').waitFor();
      expect([new URL(page.url()).pathname, await snapshot()]).toEqual(['/flows/new', before]);
    });
  },
);
