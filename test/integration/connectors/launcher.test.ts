import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { AirbyteMessage, AirbyteStateMessage } from '../../../src/protocol/messages.js';
import { readStateFrom } from '../../../src/protocol/state.js';
import { type ConnectorLaunch, launchConnector, runConnector } from '../../../src/tasks/sync/launcher.js';
import { REPO_ROOT, ensureCliBuilt } from '../../support/cli.js';
import { fakerCatalog, recordIds } from './faker-catalog.js';

const FAKER = [process.execPath, path.join(REPO_ROOT, 'bin', 'sluice.js'), 'connector', 'source-faker'];
const fixture = (name: string) => [
  process.execPath,
  path.join(REPO_ROOT, 'test', 'fixtures', 'connectors', name),
];

beforeAll(() => ensureCliBuilt(), 120_000);

async function messagesOf(launch: ConnectorLaunch): Promise<AirbyteMessage[]> {
  const { messages, exit } = await runConnector(launch);
  expect(exit.failure).toBeUndefined();
  return messages.map((m) => m.message);
}

const states = (messages: AirbyteMessage[]): AirbyteStateMessage[] =>
  messages.flatMap((m) => (m.type === 'STATE' ? [m.state] : []));

function inspection(messages: AirbyteMessage[]) {
  const log = messages.find((m) => m.type === 'LOG');
  if (log?.type !== 'LOG') throw new Error('the fixture reported nothing');
  return JSON.parse(log.log.message) as {
    pid: number;
    files: Record<string, { path: string; mode: string }>;
    dir: { path: string; mode: string };
  };
}

describe('launcher with source-faker', () => {
  test('spec returns the connector specification', async () => {
    const [message] = await messagesOf({ command: FAKER, verb: 'spec' });
    expect(message).toMatchObject({ type: 'SPEC', spec: { connectionSpecification: { type: 'object' } } });
  });

  test('check of a bad config reports FAILED naming the field', async () => {
    const messages = await messagesOf({ command: FAKER, verb: 'check', config: { count: 'many' } });
    expect(messages).toEqual([
      {
        type: 'CONNECTION_STATUS',
        connectionStatus: {
          status: 'FAILED',
          message: expect.stringContaining('config.count: must be integer'),
        },
      },
    ]);
  });

  test('discover lists three streams keyed by id with updated_at as cursor', async () => {
    const [message] = await messagesOf({ command: FAKER, verb: 'discover', config: {} });
    if (message.type !== 'CATALOG') throw new Error(`got ${message.type}`);
    expect(
      message.catalog.streams.map((s) => [s.name, s.source_defined_primary_key, s.default_cursor_field]),
    ).toEqual([
      ['users', [['id']], ['updated_at']],
      ['products', [['id']], ['updated_at']],
      ['purchases', [['id']], ['updated_at']],
    ]);
  });

  test('read emits count records per stream, the same for the same seed', async () => {
    const launch: ConnectorLaunch = {
      command: FAKER,
      verb: 'read',
      config: { count: 25, seed: 7 },
      catalog: fakerCatalog('full_refresh'),
    };
    const data = (messages: AirbyteMessage[]) =>
      messages.flatMap((m) => (m.type === 'RECORD' ? [[m.record.stream, m.record.data]] : []));
    const first = await messagesOf(launch);
    expect(recordIds(first, 'purchases')).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(data(first)).toHaveLength(75);
    expect(data(await messagesOf(launch))).toEqual(data(first));
  });

  test('an incremental read resumes after the last updated_at of the state', async () => {
    const catalog = fakerCatalog('incremental', ['users']);
    const config = { seed: 1, records_per_slice: 4 };
    const firstRun = await messagesOf({
      command: FAKER,
      verb: 'read',
      config: { ...config, count: 10 },
      catalog,
    });
    const state = readStateFrom(states(firstRun));
    const secondRun = await messagesOf({
      command: FAKER,
      verb: 'read',
      config: { ...config, count: 15 },
      catalog,
      state,
    });
    expect(recordIds(secondRun, 'users')).toEqual([11, 12, 13, 14, 15]);
  });
});

describe('launcher failures', () => {
  test('a TRACE error then exit 1 fails with its type and message', async () => {
    const { exit } = await runConnector({ command: fixture('crashing-source.mjs'), verb: 'read' });
    expect(exit.failure).toMatchObject({
      failureType: 'config_error',
      message: 'the API token was refused',
      exitCode: 1,
    });
  });

  test('a TRACE error fails the command even when the process exits 0', async () => {
    const { exit } = await runConnector({
      command: fixture('crashing-source.mjs'),
      verb: 'read',
      env: { ...process.env, EXIT_CODE: '0', FAILURE_TYPE: 'transient_error' },
    });
    expect(exit.failure).toMatchObject({ failureType: 'transient_error', exitCode: 0 });
  });

  test('an exit without TRACE is a system_error with the exit code and the last stderr lines', async () => {
    const { exit } = await runConnector({
      command: fixture('crashing-source.mjs'),
      verb: 'read',
      env: { ...process.env, NO_TRACE: '1', EXIT_CODE: '3' },
    });
    expect(exit.failure).toEqual({
      failureType: 'system_error',
      message: expect.stringMatching(/exited with code 3.*\n.*ConnectionRefusedError: 127\.0\.0\.1:5432/s),
      exitCode: 3,
    });
  });

  test('a line over the limit fails the command naming the limit', async () => {
    const { exit } = await runConnector({
      command: [process.execPath, '-e', 'process.stdout.write("x".repeat(5000) + "\\n")'],
      verb: 'read',
      maxLineBytes: 1000,
    });
    expect(exit.failure).toMatchObject({
      failureType: 'system_error',
      message: expect.stringContaining('1000 bytes'),
    });
  });

  test('a stderr line over the limit fails the command too', async () => {
    const { exit } = await runConnector({
      command: [process.execPath, '-e', 'process.stderr.write("x".repeat(5000) + "\\n")'],
      verb: 'read',
      maxLineBytes: 1000,
    });
    expect(exit.failure).toMatchObject({
      failureType: 'system_error',
      message: expect.stringContaining('1000 bytes'),
    });
  });

  test('a command that does not exist is a system_error', async () => {
    const { exit } = await runConnector({ command: ['/nonexistent/connector'], verb: 'spec' });
    expect(exit.failure).toMatchObject({
      failureType: 'system_error',
      message: expect.stringContaining('ENOENT'),
    });
  });
});

describe('launcher files and cancellation', () => {
  test('the connector does not inherit the platform’s environment', async () => {
    process.env.SLUICE_TEST_SECRET = 'hunter2';
    try {
      const { messages } = await runConnector({
        command: [process.execPath, '-e', 'console.log(JSON.stringify(Object.keys(process.env)))'],
        verb: 'spec',
      });
      const names = messages[0].message.type === 'LOG' ? messages[0].message.log.message : '';
      expect(JSON.parse(names)).not.toContain('SLUICE_TEST_SECRET');
    } finally {
      delete process.env.SLUICE_TEST_SECRET;
    }
  });

  test('config, catalog and state are 0600 in a 0700 directory while the connector runs', async () => {
    const { messages } = await runConnector({
      command: fixture('inspecting-source.mjs'),
      verb: 'read',
      config: { password: 'secret' },
      catalog: { streams: [] },
      state: [],
    });
    const report = inspection(messages.map((m) => m.message));
    expect(Object.values(report.files).map((f) => f.mode)).toEqual(['600', '600', '600']);
    expect(report.dir.mode).toBe('700');
  });

  test('the files are removed after the connector ends', async () => {
    const { messages } = await runConnector({
      command: fixture('inspecting-source.mjs'),
      verb: 'check',
      config: {},
    });
    expect(existsSync(inspection(messages.map((m) => m.message)).dir.path)).toBe(false);
  });

  test('the files are removed after the connector fails', async () => {
    const { messages, exit } = await runConnector({
      command: fixture('inspecting-source.mjs'),
      verb: 'check',
      config: {},
      env: { ...process.env, EXIT_CODE: '2' },
    });
    expect(exit.failure?.exitCode).toBe(2);
    expect(existsSync(inspection(messages.map((m) => m.message)).dir.path)).toBe(false);
  });

  test('aborting terminates the connector', async () => {
    const controller = new AbortController();
    const launched = await launchConnector({
      command: fixture('inspecting-source.mjs'),
      verb: 'read',
      env: { ...process.env, SLEEP: '60000' },
      signal: controller.signal,
    });
    let pid = 0;
    for await (const { message } of launched.messages) {
      if (message.type === 'LOG') pid = (JSON.parse(message.log.message) as { pid: number }).pid;
      controller.abort();
    }
    const exit = await launched.exit;
    expect(exit).toMatchObject({ cancelled: true, signal: 'SIGTERM', failure: undefined });
    expect(() => process.kill(pid, 0)).toThrow();
  });

  test('a connector that ignores SIGTERM is killed after the grace period', async () => {
    const controller = new AbortController();
    const launched = await launchConnector({
      command: fixture('inspecting-source.mjs'),
      verb: 'read',
      env: { ...process.env, SLEEP: '60000', IGNORE_SIGTERM: '1' },
      signal: controller.signal,
      killGraceMs: 300,
    });
    for await (const _ of launched.messages) controller.abort();
    expect(await launched.exit).toMatchObject({ cancelled: true, signal: 'SIGKILL' });
  });
});
