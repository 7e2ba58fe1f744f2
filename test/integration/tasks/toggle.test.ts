import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDialects } from '../../support/databases.js';
import { runOf, startTestEngine, type TestEngine } from '../../support/engine.js';

const SCHEDULED = `
id: nightly
namespace: test.toggle
tasks:
  - id: r
    type: return
    format: x
triggers:
  - id: every_night
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 3 * * *"
  - id: after_upstream
    type: io.kestra.plugin.core.trigger.Flow
`;

const toggler = (props: string) => `
id: toggler
namespace: test.toggle
tasks:
  - id: toggle
    type: io.kestra.plugin.core.trigger.Toggle
    namespace: test.toggle
    flowId: nightly
${props}
`;

describe.each(testDialects())('the Toggle task on $name', (dialect) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(dialect);
    await engine.deploy(SCHEDULED);
  });
  afterAll(async () => engine?.stop());

  async function disabled(): Promise<boolean | undefined> {
    const { rows } = await engine.db.query<{ disabled: boolean }>(
      `SELECT disabled FROM triggers WHERE namespace = 'test.toggle' AND flow_id = 'nightly' AND trigger_id = 'every_night'`,
    );
    return rows[0]?.disabled;
  }

  test("disables another flow's Schedule trigger by default, and enables it with enabled: true", async () => {
    const off = await engine.run(toggler('    trigger: every_night'));
    expect(off.state.current).toBe('SUCCESS');
    expect(await disabled()).toBe(true);
    const on = await engine.run(toggler("    trigger: \"{{ 'every_' ~ 'night' }}\"\n    enabled: true"));
    expect(on.state.current).toBe('SUCCESS');
    expect(await disabled()).toBe(false);
  });

  test('an unknown trigger, or one without a schedule, fails the task run with the reason', async () => {
    const unknown = await engine.run(toggler('    trigger: hourly'));
    expect(unknown.state.current).toBe('FAILED');
    expect(runOf(unknown, 'toggle').error).toMatch(/Unable to find trigger hourly/);
    const flowTrigger = await engine.run(toggler('    trigger: after_upstream'));
    expect(runOf(flowTrigger, 'toggle').error).toMatch(/only Schedule and ScheduleOnDates/);
  });
});
