import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ensureCliBuilt } from '../../support/cli.js';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';

// Malformed connector output through the sync task, connectors as real processes: a RECORD whose data
// is not an object, a RECORD without a stream, a last line cut mid-message by a source exiting 0. Each
// fails the sync with the stream named; nothing of the bad record reaches the destination, and an
// overwrite is never told its stream is complete.

const FIXTURES = fileURLToPath(new URL('../../fixtures/connectors/', import.meta.url));
const SOURCE = [process.execPath, path.join(FIXTURES, 'malformed-source.mjs')];
const DESTINATION = [process.execPath, path.join(FIXTURES, 'destination.mjs')];

const dialect = testDialects()[0];

describe(`malformed source output (${dialect.name})`, () => {
  let engine: TestEngine;
  let dir: string;
  let flows = 0;
  beforeAll(async () => {
    await ensureCliBuilt();
    engine = await startTestEngine(dialect);
  });
  afterAll(() => engine.stop());
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-malformed-'));
    return () => rm(dir, { recursive: true, force: true });
  });

  const written = (): unknown[] => {
    const file = path.join(dir, 'dest.jsonl');
    return existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { data: unknown }).data)
      : [];
  };

  async function sync(bad: string) {
    const execution = await engine.run(
      JSON.stringify({
        id: `malformed_${++flows}`,
        namespace: 'test.malformed',
        tasks: [
          {
            id: 'sync',
            type: 'sync',
            source: { command: SOURCE, config: { bad } },
            destination: { command: DESTINATION, config: { path: path.join(dir, 'dest.jsonl') } },
          },
        ],
      }),
    );
    const logs = (await engine.logs(execution.id)).map((l) => l.message).join('\n');
    return { execution, logs };
  }

  test('a well-formed read succeeds (the fixture itself is sound)', async () => {
    const { execution } = await sync('none');
    expect(execution.state.current).toBe('SUCCESS');
    expect(written()).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  test('a RECORD whose data is 5 fails the sync naming the stream, and is never written', async () => {
    const { execution, logs } = await sync('nonObjectData');
    expect(execution.state.current).toBe('FAILED');
    expect(logs).toContain(
      'source read failed (system_error): a RECORD of stream "things" whose data is a number, not an object',
    );
    expect(written()).not.toContainEqual(5);
    expect(written().every((d) => typeof d === 'object' && d !== null)).toBe(true);
    expect(runOf(execution, 'sync').state.current).toBe('FAILED');
  });

  test('a RECORD without a stream fails the sync instead of being dropped as stream "undefined"', async () => {
    const { execution, logs } = await sync('noStream');
    expect(execution.state.current).toBe('FAILED');
    expect(logs).toContain('a RECORD without a stream name');
    expect(logs).not.toContain('"undefined"');
  });

  test('a last line cut mid-message fails the sync even though the source exits 0', async () => {
    const { execution, logs } = await sync('truncated');
    expect(execution.state.current).toBe('FAILED');
    expect(logs).toContain('source read failed (system_error): the output ended in the middle of a message');
    expect(logs).toContain('a message of stream "things"');
    expect(written()).not.toContainEqual({ id: 99999 });
  });

  test('the destination is told the stream did not complete', async () => {
    await sync('truncated');
    const statuses = readFileSync(path.join(dir, 'dest.jsonl.status'), 'utf8');
    expect(statuses).toContain('INCOMPLETE');
  });
});
