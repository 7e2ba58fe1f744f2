import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';

// Connectors nobody here wrote, run through the sync task as processes: a source written with the npm
// faros-airbyte-cdk (test/fixtures/connectors/faros/source.mjs) and Faros' own destination from npm
// (airbyte-faros-destination) in dry_run. What they emit is theirs: LEGACY state as a gzip blob, STATE
// messages with extra top-level fields, STREAM states for streams no catalog names.

const FIXTURES = fileURLToPath(new URL('../../fixtures/connectors/', import.meta.url));
const FAROS_SOURCE = [process.execPath, path.join(FIXTURES, 'faros', 'source.mjs')];
// the CDK checkpoints per STREAM only when it believes it runs on Airbyte's platform, which it reads
// from WORKER_JOB_ID; a connector gets none of Sluice's environment, so the command sets it
const ON_PLATFORM = ['env', 'WORKER_JOB_ID=1', ...FAROS_SOURCE];
const JSONL_DESTINATION = [process.execPath, path.join(FIXTURES, 'destination.mjs')];
const FAROS_DESTINATION = [process.execPath, path.join(FIXTURES, 'faros', 'destination.mjs')];

/** Faros' destination offline: community edition, an unreachable Hasura it never calls in dry_run, and
 * a JSONata converter so that the fixture's records become Faros models it counts. */
const FAROS_DRY_RUN = {
  edition_configs: { edition: 'community', hasura_url: 'http://127.0.0.1:1', check_connection: false },
  dry_run: true,
  invalid_record_strategy: 'SKIP',
  jsonata_expression: '{"vcs_User": {"uid": $string(data.id), "name": data.name}}',
  jsonata_destination_models: ['vcs_User'],
};

/** The destination reads stream names as <origin>__<source>__<stream>: the connection's prefix makes
 * them so. */
const FAROS_STREAM_PREFIX = 'sluice__fixture__';

const incremental = (...names: string[]) => names.map((name) => ({ name, syncMode: 'incremental_append' }));

interface StreamState {
  type: 'STREAM';
  stream: { stream_descriptor: { name: string; namespace?: string }; stream_state: Blob };
}
interface Blob {
  format: string;
  data: string;
}

const unzip = (blob: Blob): unknown => {
  expect(blob.format).toBe('base64/gzip');
  return JSON.parse(gunzipSync(Buffer.from(blob.data, 'base64')).toString('utf8'));
};

let dir: string;
let flowId: string;
let tests = 0;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-sync-3p-'));
  flowId = `third_party_${++tests}`;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const destinationFile = () => path.join(dir, 'dest.jsonl');
const written = (): { stream: string; data: { id: number } }[] =>
  existsSync(destinationFile())
    ? readFileSync(destinationFile(), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { stream: string; data: { id: number } })
    : [];

function flow(
  source: { command: string[]; counts: Record<string, number> },
  destination: { command: string[]; config: Record<string, unknown> },
  extra: Record<string, unknown> = {},
): string {
  const task = {
    id: 'sync',
    type: 'sync',
    source: { command: source.command, config: { counts: source.counts, checkpoint_every: 2 } },
    destination,
    streams: incremental(...Object.keys(source.counts)),
    ...extra,
  };
  return JSON.stringify({ id: flowId, namespace: 'test.sync3p', tasks: [task] });
}

const toJsonl = () => ({ command: JSONL_DESTINATION, config: { path: destinationFile() } });
const toFaros = { command: FAROS_DESTINATION, config: FAROS_DRY_RUN };

describe.each(testDialects())('third-party connectors in a sync on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(() => engine.stop());

  const keptState = async (): Promise<unknown> => {
    const { rows } = await engine.db.query<{ state: unknown }>(
      'SELECT state FROM sync_connections WHERE key = $1',
      [`test.sync3p/${flowId}/sync`],
    );
    return rows[0]?.state;
  };
  /** what the faros source says it was given as --state, from its own log line */
  const stateGiven = async (executionId: string): Promise<unknown> => {
    const line = (await engine.logs(executionId))
      .map((l) => l.message)
      .find((m) => m.startsWith('source: State: '));
    return line === undefined ? undefined : JSON.parse(line.slice('source: State: '.length));
  };

  test('without WORKER_JOB_ID its LEGACY gzip state is kept as the data blob and the next run reads only new records', async () => {
    const first = await engine.run(
      flow({ command: FAROS_SOURCE, counts: { users: 5, commits: 3 } }, toJsonl()),
    );
    expect(first.state.current).toBe('SUCCESS');
    expect(runOf(first, 'sync').outputs).toMatchObject({
      recordsEmitted: 8,
      recordsCommitted: 8,
      streams: { users: { recordsCommitted: 5 }, commits: { recordsCommitted: 3 } },
    });
    const kept = (await keptState()) as Blob;
    expect(unzip(kept)).toMatchObject({ users: { cursor: 5 }, commits: { cursor: 3 } });

    const second = await engine.run(
      flow({ command: FAROS_SOURCE, counts: { users: 7, commits: 3 } }, toJsonl()),
    );
    expect(second.state.current).toBe('SUCCESS');
    expect(await stateGiven(second.id)).toEqual(kept);
    expect(runOf(second, 'sync').outputs).toMatchObject({ recordsEmitted: 2 });
    expect(written().map((w) => `${w.stream}:${w.data.id}`)).toEqual([
      ...[1, 2, 3, 4, 5].map((id) => `users:${id}`),
      ...[1, 2, 3].map((id) => `commits:${id}`),
      'users:6',
      'users:7',
    ]);
  });

  test('with WORKER_JOB_ID its STREAM states, streams outside the catalog included, are kept and given back', async () => {
    const first = await engine.run(flow({ command: ON_PLATFORM, counts: { users: 4 } }, toJsonl()));
    expect(first.state.current).toBe('SUCCESS');
    const kept = (await keptState()) as StreamState[];
    expect(kept.map((s) => s.stream.stream_descriptor)).toEqual(
      expect.arrayContaining([
        { name: 'users' },
        { name: '__noop__', namespace: '__faros__' },
        { name: '__stream_freshness_state', namespace: '__faros_shared_state__' },
      ]),
    );
    expect(kept).toHaveLength(3);
    const users = kept.find((s) => s.stream.stream_descriptor.name === 'users')!;
    expect(unzip(users.stream.stream_state)).toEqual({ cursor: 4 });

    const second = await engine.run(flow({ command: ON_PLATFORM, counts: { users: 6 } }, toJsonl()));
    expect(second.state.current).toBe('SUCCESS');
    expect(await stateGiven(second.id)).toEqual(kept);
    expect(runOf(second, 'sync').outputs).toMatchObject({ recordsEmitted: 2, recordsCommitted: 2 });
    expect(written().map((w) => w.data.id)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('Faros’ destination in dry_run converts every record and acknowledges the source’s state', async () => {
    const execution = await engine.run(
      flow({ command: FAROS_SOURCE, counts: { users: 5, commits: 3 } }, toFaros, {
        prefix: FAROS_STREAM_PREFIX,
      }),
    );
    expect(execution.state.current).toBe('SUCCESS');
    expect(runOf(execution, 'sync').outputs).toMatchObject({
      recordsEmitted: 8,
      recordsCommitted: 8,
      streams: { users: { recordsEmitted: 5 }, commits: { recordsEmitted: 3 } },
    });
    const logs = (await engine.logs(execution.id)).map((l) => l.message);
    expect(logs).toContain('destination: Would write 8 records');
    expect(logs).toContain(
      `destination: Processed records by stream: {"${FAROS_STREAM_PREFIX}commits":3,"${FAROS_STREAM_PREFIX}users":5}`,
    );
    expect(unzip((await keptState()) as Blob)).toMatchObject({
      users: { cursor: 5 },
      commits: { cursor: 3 },
    });
  });

  // in dry_run it re-emits one state, at the end: the CDK's no-op state, identical to the one it
  // emitted before any record
  test('Faros’ destination re-emitting only the last STREAM state commits every stream’s state before it', async () => {
    const execution = await engine.run(
      flow({ command: ON_PLATFORM, counts: { users: 5, commits: 3 } }, toFaros, {
        prefix: FAROS_STREAM_PREFIX,
      }),
    );
    expect(execution.state.current).toBe('SUCCESS');
    const kept = (await keptState()) as StreamState[];
    const cursors = Object.fromEntries(
      kept
        .filter((s) => s.stream.stream_descriptor.namespace === undefined)
        .map((s) => [s.stream.stream_descriptor.name, unzip(s.stream.stream_state)]),
    );
    expect(cursors).toEqual({ users: { cursor: 5 }, commits: { cursor: 3 } });
  });
});
