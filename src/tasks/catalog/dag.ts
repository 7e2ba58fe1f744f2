// A Dag's `dependsOn` must name tasks of the same Dag and must not loop, or nothing could ever start.
import type { z } from 'zod';

interface DagItem {
  task: unknown;
  dependsOn?: string[];
}

function idOf(task: unknown): string | undefined {
  if (task === null || typeof task !== 'object') return undefined;
  const id = (task as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

export function checkDependencies(items: DagItem[], ctx: z.RefinementCtx): void {
  const indexById = new Map<string, number>();
  items.forEach((item, index) => {
    const id = idOf(item.task);
    if (id !== undefined && !indexById.has(id)) indexById.set(id, index);
  });
  const ids = items.map((item) => idOf(item.task));

  items.forEach((item, index) => {
    item.dependsOn?.forEach((dep, position) => {
      if (!indexById.has(dep)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tasks', index, 'dependsOn', position],
          message: `unknown task '${dep}': dependsOn must name a task of the same Dag`,
          input: dep,
        });
      }
    });
  });

  // depth-first search; an edge back to a task still on the path closes a cycle, reported on that edge
  const state = new Array<'new' | 'open' | 'done'>(items.length).fill('new');
  const trail: number[] = [];
  const visit = (index: number): void => {
    state[index] = 'open';
    trail.push(index);
    items[index].dependsOn?.forEach((dep, position) => {
      const next = indexById.get(dep);
      if (next === undefined) return;
      if (state[next] === 'open') {
        const loop = [...trail.slice(trail.indexOf(next)), next].map((i) => ids[i]).join(' -> ');
        ctx.addIssue({
          code: 'custom',
          path: ['tasks', index, 'dependsOn', position],
          message: `dependency cycle: ${loop}`,
          input: dep,
        });
      } else if (state[next] === 'new') {
        visit(next);
      }
    });
    trail.pop();
    state[index] = 'done';
  };
  items.forEach((_, index) => {
    if (state[index] === 'new') visit(index);
  });
}
