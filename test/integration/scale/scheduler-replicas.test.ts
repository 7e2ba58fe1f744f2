import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { type Cluster, startCluster } from '../../support/cluster.js';
import { testDialects } from '../../support/databases.js';
import { until } from '../../support/until.js';
import { deployFlow, endedCount, executionsIn, statesOf } from './evidence.js';

// Three `sluice server scheduler` processes on one database fire the same triggers: every occurrence
// must start exactly one execution, whichever replica gets to it first.

const postgres = testDialects().find((d) => d.name === 'postgres');
const SECOND = 1000;
const DAY = 24 * 3600 * SECOND;
const WINDOW_SECONDS = 60;

/** trigger.date of every execution of a namespace, in creation order. */
async function triggerDates(db: Database, namespace: string): Promise<string[]> {
  return (await executionsIn(db, namespace)).map((e) => String(e.trigger?.variables.date));
}

describe.skipIf(!postgres)('three scheduler replicas', () => {
  let db: Database;
  let dispose: (() => Promise<void>) | undefined;
  let cluster: Cluster | undefined;

  beforeAll(async () => {
    const opened = await postgres!.open();
    ({ db, dispose } = opened);
    cluster = await startCluster(db, {
      databaseUrl: opened.url!,
      executors: 1,
      workers: 1,
      schedulers: 3,
    });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await dispose?.();
  });

  test(`a per-second cron fires exactly once for each of ${WINDOW_SECONDS} consecutive seconds`, async () => {
    const namespace = 'test.replicas.cron';
    await deployFlow(
      db,
      `
id: every-second
namespace: ${namespace}
tasks:
  - id: tick
    type: return
    format: "{{ trigger.date }}"
triggers:
  - id: each-second
    type: schedule
    cron: "* * * * * *"
    withSeconds: true
`,
    );
    await until(
      `${WINDOW_SECONDS} occurrences to fire`,
      async () => (await triggerDates(db, namespace)).length >= WINDOW_SECONDS,
      (WINDOW_SECONDS + 60) * SECOND,
    );
    // a duplicate of the latest occurrence would come from a replica at most a tick behind
    await new Promise((resolve) => setTimeout(resolve, 2 * SECOND));
    const dates = (await triggerDates(db, namespace)).sort();
    // the window opens at the first occurrence fired, whenever a replica first saw the flow
    const first = Date.parse(dates[0]);
    const window = Array.from({ length: WINDOW_SECONDS }, (_, i) =>
      new Date(first + i * SECOND).toISOString(),
    );
    expect(dates.slice(0, WINDOW_SECONDS)).toEqual(window);
    expect(dates.filter((date, i) => date === dates[i - 1])).toEqual([]);
    expect(cluster!.unexpectedExits()).toEqual([]);
  }, 180_000);

  test('a backfill of a daily schedule over 30 days starts exactly 30 executions, one for each day', async () => {
    const namespace = 'test.replicas.backfill';
    // a time of day half a day from now: no occurrence falls near either end of the 30 days
    const hour = (new Date().getUTCHours() + 12) % 24;
    const start = new Date(Date.now() - 30 * DAY);
    const firstFire = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate(), hour);
    const firstDay = firstFire > start.getTime() ? firstFire : firstFire + DAY;
    const days = Array.from({ length: 30 }, (_, i) => new Date(firstDay + i * DAY).toISOString());
    await deployFlow(
      db,
      `
id: daily
namespace: ${namespace}
inputs:
  - id: day
    type: STRING
tasks:
  - id: r
    type: return
    format: "{{ inputs.day }}"
triggers:
  - id: daily
    type: schedule
    cron: "0 ${hour} * * *"
    timezone: UTC
    backfill:
      start: "${start.toISOString()}"
    inputs:
      day: "{{ trigger.date }}"
`,
    );
    await until('the 30 executions to end', async () => (await endedCount(db, namespace)) >= 30, 60_000);
    // every replica has ticked a few more times meanwhile: a second firing would show now
    await new Promise((resolve) => setTimeout(resolve, 3 * SECOND));
    const executions = await executionsIn(db, namespace);
    expect(executions.map((e) => e.trigger?.variables.date).sort()).toEqual(days);
    expect(executions.map((e) => e.inputs.day).sort()).toEqual(days);
    expect(statesOf(executions)).toEqual({ SUCCESS: 30 });
  }, 120_000);
});
