import type { ExecutionCount, TaskPlatform } from '../platform.js';
import type { RunnableTask } from '../types.js';
import { renderedDate } from './target.js';

/** io.kestra.plugin.core.execution.Count: executions started in a window, per flow of `flows` (a flow
 * without any counts 0) and per namespace of `namespaces`, kept where `expression`, rendered with
 * `count`, is "true"; `total` sums those kept. */
export function createCountTask(platform: TaskPlatform): RunnableTask {
  return {
    async run(task, ctx) {
      const flows = task.flows as Array<{ namespace: string; flowId: string }> | undefined;
      const namespaces = task.namespaces as string[] | undefined;
      if (flows === undefined && namespaces === undefined) {
        throw new Error('You must provide a list of flows or namespaces');
      }
      const startDate = (await renderedDate(ctx, task.startDate, 'startDate'))!;
      const endDate = (await renderedDate(ctx, task.endDate, 'endDate')) ?? new Date().toISOString();
      const rows = await platform.countExecutions({
        flows,
        namespaces,
        states: task.states as string[] | undefined,
        startDate,
        endDate,
      });
      const counts: Array<{ namespace: string; flowId: string | null; count: number }> = [];
      for (const flow of flows ?? []) {
        const row = rows.find((r) => r.namespace === flow.namespace && r.flowId === flow.flowId);
        counts.push({ namespace: flow.namespace, flowId: flow.flowId, count: row?.count ?? 0 });
      }
      if (namespaces !== undefined) counts.push(...perNamespace(rows));
      const results = [];
      for (const item of counts) {
        if ((await ctx.renderString(String(task.expression), { count: item.count })) === 'true') {
          results.push(item);
        }
      }
      return { outputs: { results, total: results.reduce((sum, r) => sum + r.count, 0) } };
    },
  };
}

/** As Kestra's repository does: the rows found summed per namespace (namespaces without executions
 * are absent), with no flow id. */
function perNamespace(rows: ExecutionCount[]) {
  const sums = new Map<string, number>();
  for (const r of rows) sums.set(r.namespace, (sums.get(r.namespace) ?? 0) + r.count);
  return [...sums].map(([namespace, count]) => ({ namespace, flowId: null, count }));
}
