import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ensureCliBuilt } from '../../support/cli.js';
import { testDialects } from '../../support/databases.js';
import { startTestEngine, TEST_CIPHER, type TestEngine } from '../../support/engine.js';

// A configuration a connector replaces with a CONTROL message (a rotated token) is a secret like any
// other: its airbyte_secret fields are stored encrypted, masked in the logs from the moment it
// arrives, and given back in clear to the connector on the next run. Connectors are real processes.

const FIXTURES = fileURLToPath(new URL('../../fixtures/connectors/', import.meta.url));
const SOURCE = [process.execPath, path.join(FIXTURES, 'source.mjs')];
const DESTINATION = [process.execPath, path.join(FIXTURES, 'destination.mjs')];
const ROTATED = 'RotatedToken-ZZTOP-999';

const dialect = testDialects()[0];

describe(`a configuration replaced by CONTROL (${dialect.name})`, () => {
  let engine: TestEngine;
  let dir: string;
  let flows = 0;
  beforeAll(async () => {
    await ensureCliBuilt();
    engine = await startTestEngine(dialect);
  });
  afterAll(() => engine.stop());
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-control-'));
    return () => rm(dir, { recursive: true, force: true });
  });

  const flow = (id: string) => {
    const probe = path.join(dir, 'probe.jsonl');
    const streams = [{ name: 'users', count: 2 }];
    return JSON.stringify({
      id,
      namespace: 'test.control',
      tasks: [
        {
          id: 'sync',
          type: 'sync',
          source: {
            command: SOURCE,
            config: {
              streams,
              probe,
              token: 'OriginalToken-1234',
              control: { streams, probe, token: ROTATED },
            },
          },
          destination: { command: DESTINATION, config: { path: path.join(dir, 'dest.jsonl') } },
        },
      ],
    });
  };

  const storedConfigs = async (id: string) => {
    const { rows } = await engine.db.query<{ configs: { source: { config: { token: string } } } }>(
      'SELECT configs FROM sync_connections WHERE key = $1',
      [`test.control/${id}/sync`],
    );
    return rows[0].configs;
  };

  test('is stored with its secret field encrypted, never in clear', async () => {
    const id = `control_${++flows}`;
    const execution = await engine.run(flow(id));
    expect(execution.state.current).toBe('SUCCESS');
    const configs = await storedConfigs(id);
    expect(JSON.stringify(configs)).not.toContain(ROTATED);
    expect(JSON.parse(TEST_CIPHER.decrypt(configs.source.config.token))).toBe(ROTATED);
  });

  test('has its new secret masked in the log line that follows it', async () => {
    const execution = await engine.run(flow(`control_${++flows}`));
    const logs = (await engine.logs(execution.id)).map((l) => l.message);
    expect(logs).toContain('source: rotated token is ******');
    expect(logs.join('\n')).not.toContain(ROTATED);
  });

  test('is given back in clear to the connector on the next run', async () => {
    const yaml = flow(`control_${++flows}`);
    await engine.run(yaml);
    const second = await engine.run(yaml);
    expect(second.state.current).toBe('SUCCESS');
    const reads = readFileSync(path.join(dir, 'probe.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { cmd: string; config: { token: string } })
      .filter((p) => p.cmd === 'read');
    expect(reads.map((r) => r.config.token)).toEqual(['OriginalToken-1234', ROTATED]);
    const logs = (await engine.logs(second.id)).map((l) => l.message).join('\n');
    expect(logs).not.toContain(ROTATED);
  });
});
