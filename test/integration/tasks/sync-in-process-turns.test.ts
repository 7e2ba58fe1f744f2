import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../../support/engine.js';
import { testDialects } from '../../support/databases.js';

// Two built-in connectors in the worker's own process hand messages over as promises that resolve at
// once: unless the read lets the event loop turn, no timer of the process fires until the sync ends.
describe('a sync whose connectors both run in process', () => {
  let engine: TestEngine;
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'sluice-turns-'));
    // the embedded database: what `server local` and `flow run` use
    engine = await startTestEngine(testDialects()[0], { syncProgressIntervalMs: 20 });
  }, 60_000);
  afterAll(async () => {
    await engine?.stop();
    await rm(out, { recursive: true, force: true });
  });

  test('lets the timers of the process run while it reads: progress is logged as it goes', async () => {
    const execution = await engine.run(
      JSON.stringify({
        id: 'turns',
        namespace: 'test.turns',
        tasks: [
          {
            id: 'copy',
            type: 'sync',
            source: { connector: 'faker', config: { count: 30000 } },
            destination: {
              connector: 'file',
              config: { destination_path: out, format: { format_type: 'JSONL' } },
            },
            streams: [{ name: 'users', syncMode: 'full_refresh_overwrite' }],
          },
        ],
      }),
    );
    expect(execution.state.current).toBe('SUCCESS');
    const messages = (await engine.logs(execution.id)).map((l) => l.message);
    expect(messages).toContain('both connectors are built in: running them in process');
    // a 20 ms timer during a read of 30,000 records: several reports, not none
    expect(messages.filter((m) => /^users: \d+ records, .* so far /.test(m)).length).toBeGreaterThan(1);
  }, 60_000);
});
