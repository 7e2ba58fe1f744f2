import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { injectJson, startTestServer, type TestServer } from '../../support/server.js';
import { until } from '../../support/until.js';

// Airbyte's attempt policy on a connection's jobs, through the API: a source process that fails the
// first N reads, with each failure type. Backoff is shortened by the installation's setting so that
// the waits can be measured in a test.

const FIXTURES = fileURLToPath(new URL('../../fixtures/connectors/', import.meta.url));
const dialect = testDialects().at(-1)!;

interface Attempt {
  attempt: number;
  status: string;
  createdAt: string;
  recordsSynced: number;
  failureSummary: {
    failures: { failureType: string; failureOrigin: string; externalMessage: string; retryable: boolean }[];
    partialSuccess: boolean;
  } | null;
}

describe(`sync retries on ${dialect.name}`, () => {
  let server: TestServer;
  let dir: string;
  let destinationId: string;

  const call = (method: string, url: string, payload?: unknown) => injectJson(server, method, url, payload);

  /** A connection from the fixture source with the given options to the JSONL file destination. */
  async function connection(source: Record<string, unknown>): Promise<string> {
    const created = await call('POST', '/api/v1/sources', {
      name: 'flaky',
      configuration: {
        sourceType: 'fixture',
        streams: [{ name: 'users', count: 12 }],
        stateEvery: 5,
        ...source,
      },
    });
    expect(created.status).toBe(200);
    const c = await call('POST', '/api/v1/connections', {
      sourceId: created.body.sourceId,
      destinationId,
      configurations: {
        streams: [{ name: 'users', syncMode: 'incremental_append', cursorField: ['updated_at'] }],
      },
    });
    expect(c.status).toBe(200);
    return c.body.connectionId as string;
  }

  async function job(connectionId: string) {
    const created = await call('POST', '/api/v1/jobs', { connectionId, jobType: 'sync' });
    expect(created.status).toBe(200);
    return until(
      'the job ended',
      async () => {
        const { body } = await call('GET', `/api/v1/jobs/${String(created.body.jobId)}`);
        return ['succeeded', 'failed', 'cancelled'].includes(body.status as string)
          ? (body as { status: string; rowsSynced: number; attempts: Attempt[] })
          : undefined;
      },
      30_000,
    );
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-retries-'));
    server = await startTestServer(dialect, {
      syncRetry: { interval: 'PT0.3S', successiveCompleteFailureLimit: 3 },
    });
    for (const [name, kind, file] of [
      ['fixture', 'source', 'source.mjs'],
      ['jsonl', 'destination', 'destination.mjs'],
    ]) {
      await call('POST', '/api/v1/connector_definitions', {
        name,
        kind,
        command: [process.execPath, path.join(FIXTURES, file)],
      });
    }
    const destination = await call('POST', '/api/v1/destinations', {
      name: 'file',
      configuration: { destinationType: 'jsonl', path: path.join(dir, 'dest.jsonl') },
    });
    destinationId = destination.body.destinationId as string;
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('transient failures after progress are retried at once, each attempt resuming from the acknowledged state', async () => {
    const probe = path.join(dir, 'probe-partial.jsonl');
    const id = await connection({
      failureType: 'transient_error',
      failTimes: { times: 2, records: 5, counter: path.join(dir, 'partial.count') },
      probe,
    });
    const done = await job(id);
    expect(done.status).toBe('succeeded');
    expect(done.attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'succeeded']);
    for (const failed of done.attempts.slice(0, 2)) {
      expect(failed.failureSummary).toMatchObject({
        partialSuccess: true,
        failures: [{ failureType: 'transient_error', failureOrigin: 'source', retryable: true }],
      });
      expect(failed.recordsSynced).toBe(5);
    }
    expect(done.attempts[2].failureSummary).toBeNull();
    // what each read was given: nothing, then the cursor the destination acknowledged before each failure
    const reads = readFileSync(probe, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(
        (l) =>
          JSON.parse(l) as { cmd: string; state: { stream: { stream_state: { cursor: number } } }[] | null },
      )
      .filter((p) => p.cmd === 'read');
    expect(reads.map((r) => r.state?.[0]?.stream.stream_state.cursor ?? null)).toEqual([null, 5, 10]);
  });

  test('complete failures back off exponentially and stop at the successive limit', async () => {
    const id = await connection({
      failureType: 'system_error',
      failTimes: { times: 99, records: 0, counter: path.join(dir, 'complete.count') },
    });
    const done = await job(id);
    expect(done.status).toBe('failed');
    expect(done.attempts).toHaveLength(3);
    for (const failed of done.attempts) {
      expect(failed.failureSummary).toMatchObject({
        partialSuccess: false,
        failures: [{ failureType: 'system_error', retryable: true }],
      });
    }
    const starts = done.attempts.map((a) => Date.parse(a.createdAt));
    // 0.3 s × 3ⁿ⁻¹: 0.3 s before the second attempt, 0.9 s before the third
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(300);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(900);
  });

  test('a config_error is never retried', async () => {
    const id = await connection({
      failureType: 'config_error',
      failTimes: { times: 99, records: 0, counter: path.join(dir, 'config.count') },
    });
    const done = await job(id);
    expect(done.status).toBe('failed');
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0].failureSummary).toMatchObject({
      failures: [{ failureType: 'config_error', retryable: false }],
    });
  });
});
