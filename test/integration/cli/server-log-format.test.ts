import { beforeAll, describe, expect, test } from 'vitest';
import { ensureCliBuilt, freePort, runCli, startCli } from '../../support/cli.js';
import { until } from '../../support/until.js';
import { plain, runOnTerminal } from '../../support/terminal.js';

// A server's own log: readable lines on a terminal, JSON lines piped or when asked for.
describe('server log format', () => {
  beforeAll(() => ensureCliBuilt(), 120_000);

  test('on a terminal, a server prints readable lines: time, level, component, message', async () => {
    const port = await freePort();
    const run = await runOnTerminal(['server', 'local', '--port', String(port)], {
      stopWhen: /listening on/,
    });
    expect(plain(run.output)).toMatch(
      new RegExp(
        `\\[\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] INFO \\(sluice-local\\): Sluice local listening on http://127\\.0\\.0\\.1:${port}`,
      ),
    );
    expect(plain(run.output)).not.toContain('"level":');
  }, 90_000);

  test('on a terminal, --log-format json prints JSON lines', async () => {
    const port = await freePort();
    const run = await runOnTerminal(['server', 'local', '--port', String(port), '--log-format', 'json'], {
      stopWhen: /listening on/,
    });
    const listening = plain(run.output)
      .split('\n')
      .find((l) => l.includes('listening on'));
    expect(JSON.parse(listening!)).toMatchObject({ level: 30, name: 'sluice-local' });
  }, 90_000);

  test('piped, a server prints one JSON document a line', async () => {
    const port = await freePort();
    const server = await startCli(['server', 'local', '--port', String(port)]);
    try {
      await until('the server to listen', () => server.stdout.includes('listening on'), 60_000);
    } finally {
      await server.stop();
      await server.cleanup();
    }
    const printed = server.stdout.split('\n').filter(Boolean);
    expect(printed.length).toBeGreaterThan(0);
    for (const line of printed) expect(JSON.parse(line)).toHaveProperty('msg');
  }, 90_000);

  test('an unknown SLUICE_LOG_FORMAT stops the server with a message naming it', async () => {
    const result = await runCli(['server', 'local', '--port', String(await freePort())], {
      env: { SLUICE_LOG_FORMAT: 'xml' },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("unknown log format 'xml' (SLUICE_LOG_FORMAT): expected pretty or json");
  }, 60_000);
});
