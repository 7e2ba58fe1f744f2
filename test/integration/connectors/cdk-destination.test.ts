// A destination written with the cdk, run in this process: messages come from stdin, whatever else
// is there, and what it emits goes to stdout.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Destination } from '../../../src/cdk/connector.js';
import { runDestination } from '../../../src/cdk/run.js';
import type { AirbyteMessage } from '../../../src/protocol/messages.js';
import { fakerCatalog } from './faker-catalog.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-cdk-destination-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Counts the records it is sent and acknowledges each state after them, as a destination must. */
const counting: Destination = {
  spec: () => ({ connectionSpecification: { type: 'object', properties: {} } }),
  check: async () => ({ status: 'SUCCEEDED' }),
  async write(_config, _catalog, input, out) {
    let records = 0;
    for await (const message of input) {
      if (message.type === 'RECORD') records++;
      if (message.type === 'STATE') await out.message({ ...message, state: { ...message.state, records } });
    }
  },
};

test('write reads stdin messages, skipping other lines, and emits acknowledged states', async () => {
  const config = path.join(dir, 'config.json');
  const catalog = path.join(dir, 'catalog.json');
  await writeFile(config, '{}');
  await writeFile(catalog, JSON.stringify(fakerCatalog('full_refresh', ['users'])));
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let text = '';
  stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const record = { type: 'RECORD', record: { stream: 'users', data: { id: 1 }, emitted_at: 1 } };
  stdin.end(
    [record, 'a stray line', record, { type: 'STATE', state: { data: { c: 2 } } }]
      .map((m) => (typeof m === 'string' ? m : JSON.stringify(m)))
      .join('\n'),
  );
  const code = await runDestination(counting, ['write', '--config', config, '--catalog', catalog], {
    stdin,
    stdout,
  });
  const messages = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AirbyteMessage);
  expect([code, messages]).toEqual([0, [{ type: 'STATE', state: { data: { c: 2 }, records: 2 } }]]);
});
