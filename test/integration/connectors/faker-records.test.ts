// source-faker run in this process through the cdk: its hand-written JSON must parse and match the
// schemas it announces.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runSource } from '../../../src/cdk/run.js';
import { fakerSource } from '../../../src/connectors/faker/source.js';
import { FAKE_STREAMS } from '../../../src/connectors/faker/streams.js';
import type { AirbyteMessage } from '../../../src/protocol/messages.js';
import { fakerCatalog } from './faker-catalog.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-faker-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function read(config: object): Promise<AirbyteMessage[]> {
  const configFile = path.join(dir, 'config.json');
  const catalogFile = path.join(dir, 'catalog.json');
  await writeFile(configFile, JSON.stringify(config));
  await writeFile(catalogFile, JSON.stringify(fakerCatalog('incremental')));
  const stdout = new PassThrough();
  let text = '';
  stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const code = await runSource(fakerSource, ['read', '--config', configFile, '--catalog', catalogFile], {
    stdout,
  });
  expect(code).toBe(0);
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AirbyteMessage);
}

describe('source-faker records', () => {
  test('match the JSON schema of their stream', async () => {
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    const validators = new Map(FAKE_STREAMS.map((s) => [s.name, ajv.compile(s.schema)]));
    const records = (await read({ count: 500, seed: 11 })).flatMap((m) =>
      m.type === 'RECORD' ? [m.record] : [],
    );
    const invalid = records.flatMap(({ stream, data }) => {
      const validate = validators.get(stream)!;
      return validate(data) ? [] : [[stream, validate.errors]];
    });
    expect(invalid).toEqual([]);
  });

  test('purchases refer to existing users and products', async () => {
    const purchases = (await read({ count: 50, seed: 5 })).flatMap((m) =>
      m.type === 'RECORD' && m.record.stream === 'purchases' ? [m.record.data] : [],
    );
    const ids = purchases.flatMap((p) => [p.user_id as number, p.product_id as number]);
    expect(ids.every((id) => id >= 1 && id <= 50)).toBe(true);
  });

  test('checkpoint every records_per_slice records with the last updated_at', async () => {
    const states = (await read({ count: 10, seed: 1, records_per_slice: 4 })).flatMap((m) =>
      m.type === 'STATE' && m.state.stream?.stream_descriptor.name === 'users'
        ? [m.state.stream.stream_state]
        : [],
    );
    expect(states).toEqual([
      { updated_at: '2024-01-01T00:00:04.000Z' },
      { updated_at: '2024-01-01T00:00:08.000Z' },
      { updated_at: '2024-01-01T00:00:10.000Z' },
    ]);
  });
});
