// Real Chromium for the UI's end-to-end tests: Debian's build driven by playwright-core, and the UI's
// production bundle built when it is missing or older than its sources.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { UI_DIST } from '../../src/server/ui.js';
import { REPO_ROOT } from './cli.js';

export const CHROMIUM = process.env.SLUICE_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can. */
export const browserMissing = existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set SLUICE_TEST_CHROMIUM`;

export const SCREENSHOTS = path.join(REPO_ROOT, 'test', 'e2e', 'screenshots');

const UI_ROOT = path.join(REPO_ROOT, 'ui');

/** `args`: further Chromium switches, e.g. `--host-resolver-rules` to give a test name an address. */
export function launchBrowser(args: string[] = []): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // the sandbox needs user namespaces that containers (and root) lack; the rest keeps Chromium
    // from calling home, which a closed network refuses slowly
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
  });
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && !file.startsWith(UI_DIST)) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

/** Builds ui/dist (as `npm run build` does) unless it is newer than everything under ui/. */
export async function ensureUiBuilt(): Promise<void> {
  const index = path.join(UI_DIST, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs > newestSource(UI_ROOT)) return;
  await build({ configFile: path.join(UI_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}
