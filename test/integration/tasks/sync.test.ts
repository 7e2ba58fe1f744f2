import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startExecution, waitForExecutionEnd } from '../../../src/app/executions.js';
import { emit } from '../../../src/queue/postgres-queue.js';
import { ensureCliBuilt } from '../../support/cli.js';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';
import { until } from '../../support/until.js';

// The sync task end to end: a flow runs real connector processes (fixtures in test/fixtures/connectors
// that speak the protocol as an outside connector would, and the built-in faker), through the queue,
// with state kept in the database between executions.

const FIXTURES = fileURLToPath(new URL('../../fixtures/connectors/', import.meta.url));
const SOURCE = [process.execPath, path.join(FIXTURES, 'source.mjs')];
const DESTINATION = [process.execPath, path.join(FIXTURES, 'destination.mjs')];

interface Written {
  stream: string;
  namespace?: string;
  data: { id: number; updated_at: number };
}

let dir: string;
/** each test its own flow, so that state kept per connection never leaks from one test to the next */
let flowId: string;
let tests = 0;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-sync-'));
  flowId = `sync_flow_${++tests}`;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const file = (name: string) => path.join(dir, name);
const jsonl = <T>(name: string): T[] =>
  existsSync(file(name))
    ? readFileSync(file(name), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as T)
    : [];
const written = () => jsonl<Written>('dest.jsonl');
const reads = () =>
  jsonl<{ cmd: string; state: unknown; catalog: unknown; config: unknown }>('probe.jsonl').filter(
    (p) => p.cmd === 'read',
  );

function flow(
  source: Record<string, unknown>,
  options: {
    destination?: Record<string, unknown>;
    streams?: unknown[];
    extra?: Record<string, unknown>;
  } = {},
): string {
  const task = {
    id: 'sync',
    type: 'sync',
    source: { command: SOURCE, config: { probe: file('probe.jsonl'), ...source } },
    destination: { command: DESTINATION, config: { path: file('dest.jsonl'), ...options.destination } },
    ...(options.streams ? { streams: options.streams } : {}),
    ...options.extra,
  };
  return JSON.stringify({ id: flowId, namespace: 'test.sync', tasks: [task] });
}

const users = (count: number) => [{ name: 'users', count }];
const incremental = [{ name: 'users', syncMode: 'incremental_append' }];

describe.each(testDialects())('sync task on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    await ensureCliBuilt();
    engine = await startTestEngine(dialect);
  });
  afterAll(() => engine.stop());

  /** Starts the flow, kills its execution once records flow (as DELETE /api/v1/executions/{id}/kill
   * does), and checks that it ends KILLED and that nothing more is written after. */
  async function killOnceFlowing(yaml: string): Promise<void> {
    const execution = await startExecution(engine.db, await engine.deploy(yaml), {});
    await until('records flowing', () => written().length > 0);
    await engine.db.transaction((tx) =>
      emit(tx, 'executor', { type: 'kill', executionId: execution.id }, { key: execution.id }),
    );
    const ended = await waitForExecutionEnd(engine.db, execution.id, 100);
    expect(ended.state.current).toBe('KILLED');
    const count = written().length;
    await new Promise((r) => setTimeout(r, 300));
    expect(written().length).toBe(count);
  }

  /** the built-in faker's users into the fixture destination */
  const fakerFlow = (count: number) =>
    JSON.stringify({
      id: flowId,
      namespace: 'test.sync',
      tasks: [
        {
          id: 'sync',
          type: 'sync',
          source: { connector: 'faker', config: { count, seed: 7 } },
          destination: { command: DESTINATION, config: { path: file('dest.jsonl') } },
          streams: [{ name: 'users' }],
        },
      ],
    });

  test('a full refresh copies every stream and reports per-stream counts', async () => {
    const execution = await engine.run(
      flow({ streams: [...users(20), { name: 'orders', count: 7 }], stateEvery: 5 }),
    );
    expect(execution.state.current).toBe('SUCCESS');
    expect(runOf(execution, 'sync').outputs).toMatchObject({
      recordsEmitted: 27,
      recordsCommitted: 27,
      streams: {
        users: { recordsEmitted: 20, recordsCommitted: 20 },
        orders: { recordsEmitted: 7, recordsCommitted: 7 },
      },
    });
    expect(written().map((w) => `${w.stream}:${w.data.id}`)).toHaveLength(27);
    // the spec's defaults are the connector's to apply: the config reaches it as written
    expect(reads()[0].config).not.toHaveProperty('stateType');
    const catalog = reads()[0].catalog as { streams: { sync_mode: string; destination_sync_mode: string }[] };
    expect(catalog.streams.map((s) => [s.sync_mode, s.destination_sync_mode])).toEqual([
      ['full_refresh', 'overwrite'],
      ['full_refresh', 'overwrite'],
    ]);
  });

  test('an incremental sync resumes from the acknowledged state and copies only new records', async () => {
    const first = await engine.run(flow({ streams: users(10) }, { streams: incremental }));
    const second = await engine.run(flow({ streams: users(15) }, { streams: incremental }));
    expect([first.state.current, second.state.current]).toEqual(['SUCCESS', 'SUCCESS']);
    expect(runOf(second, 'sync').outputs).toMatchObject({ recordsEmitted: 5, recordsCommitted: 5 });
    expect(written().map((w) => w.data.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const [, resumed] = reads();
    expect(resumed.state).toEqual([
      expect.objectContaining({
        type: 'STREAM',
        stream: { stream_descriptor: { name: 'users' }, stream_state: { cursor: 10 } },
      }),
    ]);
  });

  test('a source failing mid-stream fails the task with its TRACE message, and the next run resumes from the last acknowledged state', async () => {
    const failing = await engine.run(
      flow({ streams: users(30), stateEvery: 10, failAfter: 25 }, { streams: incremental }),
    );
    expect(failing.state.current).toBe('FAILED');
    const logs = (await engine.logs(failing.id)).map((l) => l.message).join('\n');
    expect(logs).toContain('FIXTURE-FAILURE after 25 records');
    const retried = await engine.run(flow({ streams: users(30), stateEvery: 10 }, { streams: incremental }));
    expect(retried.state.current).toBe('SUCCESS');
    expect(reads()[1].state).toEqual([
      expect.objectContaining({ stream: expect.objectContaining({ stream_state: { cursor: 20 } }) }),
    ]);
    expect(runOf(retried, 'sync').outputs).toMatchObject({ recordsEmitted: 10 });
  });

  test('a failing source has its streams marked INCOMPLETE for the destination before its input ends', async () => {
    await engine.run(flow({ streams: users(30), stateEvery: 10, failAfter: 25 }, { streams: incremental }));
    expect(jsonl('dest.jsonl.status')).toEqual([{ stream: 'users', status: 'INCOMPLETE' }]);
  });

  test('a source that ends well has every stream marked COMPLETE for the destination', async () => {
    await engine.run(flow({ streams: users(3) }));
    expect(jsonl('dest.jsonl.status')).toEqual([{ stream: 'users', status: 'COMPLETE' }]);
  });

  test('a destination that never acknowledges leaves the state where it was', async () => {
    await engine.run(flow({ streams: users(10) }, { streams: incremental, destination: { ack: 'none' } }));
    const second = await engine.run(
      flow({ streams: users(10) }, { streams: incremental, destination: { ack: 'none' } }),
    );
    expect(second.state.current).toBe('SUCCESS');
    expect(reads()[1].state).toBeNull();
    expect(runOf(second, 'sync').outputs).toMatchObject({ recordsEmitted: 10, state: null });
  });

  test('LEGACY and GLOBAL states come back to the next read in the shape Airbyte gives them', async () => {
    await engine.run(flow({ streams: users(4), stateType: 'LEGACY' }, { streams: incremental }));
    await engine.run(flow({ streams: users(6), stateType: 'LEGACY' }, { streams: incremental }));
    expect(reads()[1].state).toEqual({ cursors: { users: 4 } });
    const global = await engine.run(
      flow({ streams: users(6), stateType: 'GLOBAL' }, { streams: incremental, extra: { id: 'global' } }),
    );
    expect(global.state.current).toBe('SUCCESS');
  });

  test('noise lines and LOG messages reach the task logs; records of unknown streams are dropped with a warning', async () => {
    const execution = await engine.run(flow({ streams: users(3), noise: true, extraStream: true }));
    expect(execution.state.current).toBe('SUCCESS');
    const logs = await engine.logs(execution.id);
    const text = logs.map((l) => `${l.level} ${l.message}`).join('\n');
    expect(text).toContain('INFO source: NOISE-PLAIN-LINE before any record');
    expect(text).toContain('WARN source: NOISE-LOG-MESSAGE');
    expect(text).toMatch(/WARN .*not_in_catalog.*not in the catalog/);
    expect(written().map((w) => w.stream)).toEqual(['users', 'users', 'users']);
  });

  test('a secret field of a connector config is masked in what the connector logs', async () => {
    const execution = await engine.run(
      flow({ streams: users(1), noise: true, token: 'tok-4b1d-very-secret' }),
    );
    const logs = (await engine.logs(execution.id)).map((l) => l.message).join('\n');
    expect(logs).toContain('connecting with token ******');
    expect(logs).not.toContain('tok-4b1d-very-secret');
  });

  test('an invalid connector config fails before any read, naming the field', async () => {
    const execution = await engine.run(flow({ streams: users(3), stateEvery: 0 }));
    expect(execution.state.current).toBe('FAILED');
    const logs = (await engine.logs(execution.id)).map((l) => l.message).join('\n');
    expect(logs).toContain('source.config is invalid: config.stateEvery: must be >= 1');
    expect(reads()).toEqual([]);
  });

  test('a failed check stops the sync with the connector’s reason', async () => {
    const execution = await engine.run(flow({ streams: users(3), checkFails: true }));
    expect(execution.state.current).toBe('FAILED');
    const logs = (await engine.logs(execution.id)).map((l) => l.message).join('\n');
    expect(logs).toContain('source check failed: FIXTURE-CHECK-REFUSED');
  });

  test('an incremental stream without any cursor is a config error', async () => {
    const execution = await engine.run(
      flow({ streams: [{ name: 'users', count: 3, noCursor: true }] }, { streams: incremental }),
    );
    expect(execution.state.current).toBe('FAILED');
    const logs = (await engine.logs(execution.id)).map((l) => l.message).join('\n');
    expect(logs).toContain('incremental_append needs a cursorField');
  });

  test('a deduped stream without a primary key is a config error', async () => {
    const execution = await engine.run(
      flow(
        { streams: [{ name: 'users', count: 3, noKey: true }] },
        { streams: [{ name: 'users', syncMode: 'incremental_deduped_history' }] },
      ),
    );
    expect(execution.state.current).toBe('FAILED');
    const logs = (await engine.logs(execution.id)).map((l) => l.message).join('\n');
    expect(logs).toContain('incremental_deduped_history needs a primaryKey');
  });

  test('a CONTROL message replaces the stored config for the next runs', async () => {
    const replaced = { streams: users(2), probe: file('probe.jsonl'), token: 'refreshed' };
    const yaml = flow({ streams: users(2), control: replaced }, { extra: { id: 'control' } });
    await engine.run(yaml);
    const second = await engine.run(yaml);
    const logs = (await engine.logs(second.id)).map((l) => l.message);
    expect(logs).toContain('source: using the configuration it last replaced (CONTROL)');
    const probes = jsonl<{ cmd: string }>('probe.jsonl').filter((p) => p.cmd === 'read');
    expect(probes).toHaveLength(2);
    const { rows } = await engine.db.query<{ configs: { source: { config: unknown } } }>(
      `SELECT configs FROM sync_connections WHERE key = $1`,
      [`test.sync/${flowId}/control`],
    );
    // its secret field encrypted at rest (sync-control-secrets.test.ts)
    expect(rows[0].configs.source.config).toMatchObject({ token: expect.stringMatching(/^v1:/) });
  });

  test('the namespace and prefix of the connection rename the streams the destination writes', async () => {
    const execution = await engine.run(
      flow(
        { streams: users(2) },
        {
          extra: {
            namespaceDefinition: 'custom_format',
            namespaceFormat: 'raw_${SOURCE_NAMESPACE}x',
            prefix: 'src_',
          },
        },
      ),
    );
    expect(execution.state.current).toBe('SUCCESS');
    expect(written().map((w) => [w.namespace, w.stream])).toEqual([
      ['raw_x', 'src_users'],
      ['raw_x', 'src_users'],
    ]);
  });

  test('a destination that fails mid-stream fails the sync and stops the source', async () => {
    const execution = await engine.run(
      flow({ streams: users(100000), stateEvery: 1000 }, { destination: { failAfter: 10 } }),
    );
    expect(execution.state.current).toBe('FAILED');
    const logs = (await engine.logs(execution.id)).map((l) => l.message).join('\n');
    expect(logs).toContain('destination write failed (system_error): FIXTURE-DESTINATION-FAILURE');
  });

  test('a destination that fails before reading any input fails the sync instead of leaving it waiting', async () => {
    const execution = await engine.run(
      flow({ streams: users(100000), stateEvery: 1000 }, { destination: { failAtStart: true } }),
    );
    expect(execution.state.current).toBe('FAILED');
    const logs = (await engine.logs(execution.id)).map((l) => l.message).join('\n');
    expect(logs).toContain('FIXTURE-DESTINATION-REFUSES-TO-START');
  });

  test('killing the execution stops both connector processes', async () => {
    await killOnceFlowing(flow({ streams: users(1000), delayMs: 50 }, { extra: { id: 'killed' } }));
  });

  test('the built-in faker source feeds any destination by its short name', async () => {
    const yaml = JSON.stringify({
      id: 'faker_flow',
      namespace: 'test.sync',
      tasks: [
        {
          id: 'sync',
          type: 'sync',
          source: { connector: 'faker', config: { count: 50, seed: 7 } },
          destination: { command: DESTINATION, config: { path: file('dest.jsonl') } },
          streams: [{ name: 'users' }, { name: 'products' }],
        },
      ],
    });
    const execution = await engine.run(yaml);
    expect(execution.state.current).toBe('SUCCESS');
    const outputs = runOf(execution, 'sync').outputs as {
      streams: Record<string, { recordsCommitted: number }>;
    };
    expect(Object.keys(outputs.streams)).toEqual(['users', 'products']);
    expect(written().filter((w) => w.stream === 'users')).toHaveLength(50);
  });

  test('a built-in source reads in process and feeds a destination process', async () => {
    const execution = await engine.run(fakerFlow(30));
    const logs = (await engine.logs(execution.id)).map((l) => l.message);
    expect([execution.state.current, written().length]).toEqual(['SUCCESS', 30]);
    expect(logs).toContain('the source is built in: reading in process');
  });

  test('killing the execution stops a built-in source reading in process', async () => {
    await killOnceFlowing(fakerFlow(50_000_000));
  });

  test('an unknown built-in connector name fails naming the field and the known ones', async () => {
    const yaml = JSON.stringify({
      id: 'unknown_connector',
      namespace: 'test.sync',
      tasks: [
        {
          id: 'sync',
          type: 'sync',
          source: { connector: 'nosuch', config: {} },
          destination: { command: DESTINATION, config: { path: file('dest.jsonl') } },
        },
      ],
    });
    const execution = await engine.run(yaml);
    expect(execution.state.current).toBe('FAILED');
    const logs = (await engine.logs(execution.id)).map((l) => l.message).join('\n');
    expect(logs).toMatch(
      /source\.connector: no built-in or registered source named "nosuch" \(built in: .*faker/,
    );
  });
});
