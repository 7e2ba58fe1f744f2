import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureCliBuilt, runCli } from '../../support/cli.js';
import { plain, runOnTerminal } from '../../support/terminal.js';

// `sluice flow run` on a terminal shows the run as it happens; piped, it prints what it always did.
describe('flow run on a terminal', () => {
  let out: string;
  beforeAll(async () => {
    await ensureCliBuilt();
    out = await mkdtemp(path.join(tmpdir(), 'sluice-live-'));
  }, 120_000);
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  test('shows a task run RUNNING while it runs, long before the run ends', async () => {
    const run = await runOnTerminal(['flow', 'run', 'test/fixtures/cli/live/nap.yaml']);
    expect(run.code).toBe(0);
    const shown = run.chunks.find((c) => /nap \S*RUNNING/.test(plain(c.text)));
    expect(shown, plain(run.output)).toBeDefined();
    // the Sleep lasts 2 s: its RUNNING line came before it ended, not with the summary
    expect(run.endedAt - shown!.at).toBeGreaterThan(1_000);
    expect(plain(run.output)).toMatch(/first: before the nap\n/);
    expect(plain(run.output)).toMatch(/execution \S+ of test\.live\.nap: SUCCESS\n/);
  }, 90_000);

  test("shows a sync's progress per stream while it runs, rewritten in place", async () => {
    const run = await runOnTerminal([
      'flow',
      'run',
      'test/fixtures/cli/live/slow-sync.yaml',
      '--input',
      `out=${out}`,
    ]);
    expect(run.code).toBe(0);
    const text = plain(run.output);
    const progress = text.indexOf('⟳ copy: s: ');
    const ended = text.search(/copy \S*SUCCESS/);
    expect(progress, text).toBeGreaterThan(-1);
    expect(progress).toBeLessThan(ended);
    // each new progress line replaces the one before: cursor to its start, clear below
    expect(run.output).toContain('\x1b[1F\x1b[0J');
    expect(text).toMatch(/copy: s: 60 records, .* in [\d.]+ s/);
  }, 90_000);

  test('piped, prints the summary once at the end with no escape sequences', async () => {
    const result = await runCli(['flow', 'run', 'test/fixtures/cli/live/nap.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('\x1b[');
    expect(result.stdout).toMatch(/^execution \S+ of test\.live\.nap: SUCCESS\n/);
  }, 60_000);
});
