import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { createSchedulerBackend } from '../../../src/db/scheduler-store.js';
import { Scheduler } from '../../../src/engine/scheduler.js';
import { testDialects } from '../../support/databases.js';
import { startTestEngine, type TestEngine } from '../../support/engine.js';
import { executionsIn } from './evidence.js';

// Every scheduler replica reconciles the trigger rows with the deployed flows at each tick. A
// replica that read the flows just before a deploy must not then delete the trigger row another
// replica created for the new flow: recreated, that row would fire the same occurrences again.

const DAY = 24 * 3600 * 1000;

describe.each(testDialects())('scheduler replicas reconciling across a deploy, on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
  });
  afterAll(async () => engine?.stop());

  test('a replica that read the flows before the deploy leaves the new trigger alone: a backfill fires once', async () => {
    const now = new Date();
    const start = new Date(Math.floor(now.getTime() / DAY) * DAY - 3 * DAY);
    // the database of the slow replica: its transactions wait until the test lets them go
    let entered!: () => void;
    const reachedTransaction = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const paused: Database = {
      ...engine.db,
      async transaction(fn) {
        entered();
        await gate;
        return engine.db.transaction(fn);
      },
    };
    const slow = new Scheduler(createSchedulerBackend(paused));
    const fast = new Scheduler(createSchedulerBackend(engine.db));

    const slowTick = slow.tick(now);
    await reachedTransaction;
    await engine.deploy(`
id: backfilled
namespace: test.reconcile
tasks:
  - id: r
    type: return
    format: "{{ trigger.date }}"
triggers:
  - id: daily
    type: schedule
    cron: "0 0 * * *"
    timezone: UTC
    backfill:
      start: "${start.toISOString()}"
`);
    await fast.tick(now);
    release();
    await slowTick;
    await fast.tick(now);
    await slow.tick(now);

    const dates = (await executionsIn(engine.db, 'test.reconcile')).map((e) => e.trigger?.variables.date);
    expect(dates.sort()).toEqual([0, 1, 2, 3].map((d) => new Date(start.getTime() + d * DAY).toISOString()));
  });
});
