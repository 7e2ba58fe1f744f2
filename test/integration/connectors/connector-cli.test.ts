import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { insertDefinition } from '../../../src/db/actor-repository.js';
import { openDatabase } from '../../../src/db/open.js';
import type { AirbyteMessage } from '../../../src/protocol/messages.js';
import { lines, runCli } from '../../support/cli.js';
import { fakerCatalog, recordIds } from './faker-catalog.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-connector-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, content: unknown): Promise<string> {
  const target = path.join(dir, name);
  await writeFile(target, JSON.stringify(content));
  return target;
}

const messages = (stdout: string): AirbyteMessage[] =>
  lines(stdout).map((line) => JSON.parse(line) as AirbyteMessage);

describe('sluice connector', () => {
  test('list names source-faker', async () => {
    const { code, stdout } = await runCli(['connector', 'list']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^source-faker\tsource\t/m);
  });

  test('list --config adds the definitions registered in that database', async () => {
    const dataDir = path.join(dir, 'registered');
    const db = await openDatabase({ dataDir: `${dataDir}/db` });
    await insertDefinition(db, {
      name: 'widgets',
      kind: 'source',
      command: ['x'],
      manifest: { version: '6.0.0' },
    });
    await db.close();
    const config = path.join(dir, 'registered.yaml');
    await writeFile(config, `dataDir: ${dataDir}\n`);
    const { code, stdout } = await runCli(['connector', 'list', '--config', config], { dataDir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^source-widgets\tsource\tregistered declarative manifest$/m);
  });

  test('source-faker spec prints a SPEC message', async () => {
    const { code, stdout } = await runCli(['connector', 'source-faker', 'spec']);
    expect(code).toBe(0);
    expect(messages(stdout)).toEqual([expect.objectContaining({ type: 'SPEC' })]);
  });

  test('source-faker check of a good config succeeds', async () => {
    const { code, stdout } = await runCli([
      'connector',
      'source-faker',
      'check',
      '--config',
      await file('good.json', { count: 5 }),
    ]);
    expect([code, messages(stdout)]).toEqual([
      0,
      [{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } }],
    ]);
  });

  test('source-faker check of a bad config fails naming the field', async () => {
    const config = await file('bad.json', { count: 0 });
    const { stdout } = await runCli(['connector', 'source-faker', 'check', '--config', config]);
    expect(messages(stdout)).toEqual([
      {
        type: 'CONNECTION_STATUS',
        connectionStatus: { status: 'FAILED', message: 'invalid configuration: config.count: must be >= 1' },
      },
    ]);
  });

  test('source-faker discover of a bad config exits 1 with a TRACE config_error', async () => {
    const config = await file('bad-seed.json', { seed: 'x' });
    const { code, stdout } = await runCli(['connector', 'source-faker', 'discover', '--config', config]);
    expect(code).toBe(1);
    expect(messages(stdout)).toEqual([
      {
        type: 'TRACE',
        trace: {
          type: 'ERROR',
          emitted_at: expect.any(Number),
          error: {
            message: 'invalid configuration: config.seed: must be integer',
            failure_type: 'config_error',
          },
        },
      },
    ]);
  });

  test('source-faker read without --catalog exits 1 with a TRACE error', async () => {
    const { code, stdout } = await runCli([
      'connector',
      'source-faker',
      'read',
      '--config',
      await file('c.json', {}),
    ]);
    expect(code).toBe(1);
    expect(messages(stdout)).toEqual([
      expect.objectContaining({
        trace: expect.objectContaining({
          error: expect.objectContaining({ message: 'read needs --catalog FILE' }),
        }),
      }),
    ]);
  });

  test('source-faker read emits count records per stream with a final state each', async () => {
    const args = [
      'connector',
      'source-faker',
      'read',
      '--config',
      await file('read.json', { count: 40, seed: 3, records_per_slice: 100 }),
      '--catalog',
      await file('catalog.json', fakerCatalog('incremental')),
    ];
    const { code, stdout } = await runCli(args);
    const output = messages(stdout);
    expect(code).toBe(0);
    expect(['users', 'products', 'purchases'].map((s) => recordIds(output, s).length)).toEqual([40, 40, 40]);
    expect(output.filter((m) => m.type === 'STATE')).toHaveLength(3);
  });

  test('source-faker read with --state resumes after it', async () => {
    const state = [
      {
        type: 'STREAM',
        stream: {
          stream_descriptor: { name: 'products' },
          stream_state: { updated_at: '2024-01-01T00:00:08.000Z' },
        },
      },
    ];
    const { stdout } = await runCli([
      'connector',
      'source-faker',
      'read',
      '--config',
      await file('resume.json', { count: 10, seed: 3 }),
      '--catalog',
      await file('products.json', fakerCatalog('incremental', ['products'])),
      '--state',
      await file('state.json', state),
    ]);
    expect(recordIds(messages(stdout), 'products')).toEqual([9, 10]);
  });
});
