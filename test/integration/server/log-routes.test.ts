import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startExecution } from '../../../src/app/executions.js';
import type { Execution } from '../../../src/engine/execution.js';
import { testDialects } from '../../support/databases.js';
import type { TestEngine } from '../../support/engine.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const NOISY = `
id: noisy
namespace: test.logs
tasks:
  - id: first
    type: log
    level: DEBUG
    message: quiet detail
  - id: second
    type: log
    level: WARN
    message: something odd
  - id: nap
    type: sleep
    duration: PT0.3S
  - id: third
    type: log
    level: ERROR
    message: it broke
`;

describe.each(testDialects())('log routes on $name', (dialect) => {
  let engine: TestEngine;
  let server: TestServer;
  let base: string;
  let done: Execution;

  beforeAll(async () => {
    server = await startTestServer(dialect, { listen: true });
    ({ engine, base } = server);
    done = await engine.run(NOISY);
  });
  afterAll(async () => server?.stop());

  const search = async (query: string) =>
    (await (await fetch(`${base}/api/v1/logs/search?${query}`)).json()) as Array<{
      message: string;
      level: string;
    }>;

  test('search by execution and minimum level', async () => {
    const lines = await search(`executionId=${done.id}&minLevel=WARN`);
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['WARN', 'something odd'],
      ['ERROR', 'it broke'],
    ]);
  });

  test('sort=timestamp:desc gives the newest lines first', async () => {
    const lines = await search(`executionId=${done.id}&minLevel=WARN&sort=timestamp:desc`);
    expect(lines.map((l) => l.message)).toEqual(['it broke', 'something odd']);
  });

  test('search by text within a namespace', async () => {
    const lines = await search('namespace=test&q=broke');
    expect(lines.map((l) => l.message)).toContain('it broke');
    expect(lines.every((l) => l.message.includes('broke'))).toBe(true);
  });

  test('an unknown level is a 400', async () => {
    expect((await fetch(`${base}/api/v1/logs/search?minLevel=LOUD`)).status).toBe(400);
  });

  test('download gives the execution logs as text, one line each', async () => {
    const response = await fetch(`${base}/api/v1/logs/${done.id}/download`);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await response.text();
    // the three task lines between the execution's own "Flow started" and "Flow completed…"
    expect(text.trim().split('\n')).toHaveLength(5);
    expect(text).toMatch(/ERROR third it broke/);
  });

  test('follow streams every line as it is written and closes once the execution has ended', async () => {
    const flow = await engine.deploy(NOISY.replace('id: noisy', 'id: noisy-followed'));
    const started = await startExecution(engine.db, flow, {});
    const response = await fetch(`${base}/api/v1/logs/${started.id}/follow`);
    const lines = (await response.text())
      .split('\n\n')
      .filter((c) => c.startsWith('event: log'))
      .map((c) => JSON.parse(c.slice(c.indexOf('data: ') + 6)) as { message: string });
    expect(lines.map((l) => l.message).slice(0, 4)).toEqual([
      'Flow started',
      'quiet detail',
      'something odd',
      'it broke',
    ]);
    expect(lines[4].message).toMatch(/^Flow completed with state SUCCESS in /);
  });
});
