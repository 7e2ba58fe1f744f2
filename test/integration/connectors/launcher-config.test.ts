import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { AirbyteMessage } from '../../../src/protocol/messages.js';
import { runConnector, sweepConnectorFiles } from '../../../src/tasks/sync/launcher.js';
import { REPO_ROOT, ensureCliBuilt } from '../../support/cli.js';

// A decrypted connector configuration never outlives its connector. Our own connectors read it from an
// inherited descriptor (nothing on disk); others get a 0600 file in a 0700 directory named with the
// launching process's pid, so that a worker starting later removes what a dead one left behind.

const FAKER = [process.execPath, path.join(REPO_ROOT, 'bin', 'sluice.js'), 'connector', 'source-faker'];
const INSPECTING = [
  process.execPath,
  path.join(REPO_ROOT, 'test', 'fixtures', 'connectors', 'inspecting-source.mjs'),
];

beforeAll(() => ensureCliBuilt(), 120_000);

function report(messages: { message: AirbyteMessage }[]) {
  const log = messages.find((m) => m.message.type === 'LOG')?.message;
  if (log?.type !== 'LOG') throw new Error('the fixture reported nothing');
  return JSON.parse(log.log.message) as {
    files: Record<string, { path: string }>;
    dir: { path: string; mode: string; entries: string[] };
  };
}

describe('a configuration passed through a descriptor', () => {
  test('reaches a built-in connector, which reads and validates it', async () => {
    const good = await runConnector({ command: FAKER, verb: 'check', config: { count: 3 }, configFd: true });
    expect(good.messages.map((m) => m.message)).toEqual([
      { type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } },
    ]);
    const bad = await runConnector({
      command: FAKER,
      verb: 'check',
      config: { count: 'many' },
      configFd: true,
    });
    expect(bad.messages[0].message).toMatchObject({
      connectionStatus: { status: 'FAILED', message: expect.stringContaining('config.count') },
    });
  });

  test('is written to no file: the connector is given /dev/fd/3 and its directory holds the catalog only', async () => {
    const { messages } = await runConnector({
      command: INSPECTING,
      verb: 'read',
      config: { password: 'never-on-disk' },
      catalog: { streams: [] },
      configFd: true,
    });
    const seen = report(messages);
    expect(seen.files.config.path).toBe('/dev/fd/3');
    expect(seen.dir.entries).toEqual(['catalog.json']);
  });
});

describe('a configuration file', () => {
  test('lies in a 0700 directory named after the launching process, and is removed at the end', async () => {
    const { messages } = await runConnector({
      command: INSPECTING,
      verb: 'check',
      config: { password: 'x' },
    });
    const { dir } = report(messages);
    expect(path.basename(dir.path)).toMatch(new RegExp(`^sluice-connector-${process.pid}-`));
    expect(dir.mode).toBe('700');
    expect(dir.entries).toEqual(['config.json']);
    expect(existsSync(dir.path)).toBe(false);
  });
});

describe('sweeping connector files at worker start', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'sluice-sweep-'));
  });
  afterEach(() => rm(tmp, { recursive: true, force: true }));

  /** the pid of a process that has ended */
  const deadPid = () =>
    new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '0']);
      child.on('exit', () => resolve(child.pid!));
    });

  const leftover = async (name: string) => {
    await mkdir(path.join(tmp, name), { mode: 0o700 });
    await writeFile(path.join(tmp, name, 'config.json'), '{"password":"left-behind"}', { mode: 0o600 });
    return name;
  };

  test('removes the directories of processes that died, and only those', async () => {
    const dead = await leftover(`sluice-connector-${await deadPid()}-AbC123`);
    const mine = await leftover(`sluice-connector-${process.pid}-AbC123`);
    const live = await leftover(`sluice-connector-${process.ppid}-AbC123`);
    const other = await leftover('sluice-something-else');
    expect(await sweepConnectorFiles(tmp)).toEqual([dead]);
    expect(existsSync(path.join(tmp, dead))).toBe(false);
    for (const kept of [mine, live, other]) expect(existsSync(path.join(tmp, kept))).toBe(true);
  });
});
