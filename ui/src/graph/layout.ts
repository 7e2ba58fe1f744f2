// A flow's tasks as a graph: runnable tasks are cards; a flowable task is a box holding its card, its
// branches (then/else, cases, parallel tasks, errors…) and an end dot where they join. dagre lays it
// out top to bottom, boxes within boxes.
import dagre from '@dagrejs/dagre';
import { deref, typeNames, variants, type JsonSchema } from '../editor/schema';
import type { Flow, StateType, TaskDef } from '../types';

export interface GraphNode {
  id: string;
  kind: 'task' | 'flowable' | 'group' | 'dot';
  label: string;
  type?: string;
  parent?: string;
  x: number;
  y: number;
  width: number;
  height: number;
  state?: StateType;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  label?: string;
  dashed?: boolean;
}

interface Branch {
  label: string;
  tasks: TaskDef[];
  /** each task is a branch of its own (Parallel) */
  parallel?: boolean;
  /** Dag: who each task waits for */
  dependsOn?: Map<string, string[]>;
}

const CARD = { width: 190, height: 46 };
const DOT = { width: 14, height: 14 };
const HANDLERS = new Set(['errors', 'finally']);

/** The nested task lists of a task, in the order its type's schema declares them. */
function branchesOf(task: TaskDef, schema: JsonSchema): Branch[] {
  const variant = variants(deref(schema.$defs?.task, schema), schema).find((v) =>
    typeNames(v).includes(task.type),
  );
  const isTask = (s: JsonSchema | undefined) => s?.$ref === '#/$defs/task';
  const branches: Branch[] = [];
  for (const [key, declared] of Object.entries(variant?.properties ?? {})) {
    const value = task[key];
    if (value === undefined || value === null) continue;
    const property = deref(declared, schema);
    const extra =
      typeof property.additionalProperties === 'object' ? property.additionalProperties : undefined;
    if (isTask(property.items) && Array.isArray(value)) {
      branches.push({
        label: key,
        tasks: value as TaskDef[],
        parallel: key === 'tasks' && /Parallel$/.test(task.type),
      });
    } else if (extra && isTask(extra.items) && typeof value === 'object') {
      for (const [name, tasks] of Object.entries(value as Record<string, TaskDef[]>))
        branches.push({ label: name, tasks });
    } else if (property.items?.properties && Array.isArray(value)) {
      const wrapperKey = Object.entries(property.items.properties).find(([, s]) => isTask(s))?.[0];
      if (!wrapperKey) continue;
      const wrappers = value as Array<Record<string, unknown>>;
      const dependsOn = new Map(
        wrappers.map((w) => [(w[wrapperKey] as TaskDef).id, (w.dependsOn as string[] | undefined) ?? []]),
      );
      branches.push({ label: key, tasks: wrappers.map((w) => w[wrapperKey] as TaskDef), dependsOn });
    }
  }
  return branches;
}

const shortType = (type: string) => type.slice(type.lastIndexOf('.') + 1);

export function layoutFlow(flow: Flow, schema: JsonSchema, states: Record<string, StateType> = {}) {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 26, ranksep: 34, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const meta = new Map<string, Omit<GraphNode, 'x' | 'y' | 'width' | 'height'>>();
  const edges: GraphEdge[] = [];

  const node = (id: string, info: Omit<GraphNode, 'id' | 'x' | 'y' | 'width' | 'height'>, size = CARD) => {
    g.setNode(id, { ...size });
    if (info.parent) g.setParent(id, info.parent);
    meta.set(id, { id, ...info });
  };
  const edge = (source: string, target: string, label?: string) => {
    const id = `${source}->${target}:${edges.length}`;
    g.setEdge(source, target, { label }, id);
    edges.push({ id, source, target, label, dashed: label !== undefined && HANDLERS.has(label) });
  };

  const addList = (tasks: TaskDef[], parent?: string): [string, string] | undefined => {
    let ends: [string, string] | undefined;
    for (const task of tasks) {
      const [entry, exit] = addTask(task, parent);
      if (ends) edge(ends[1], entry);
      ends = [ends?.[0] ?? entry, exit];
    }
    return ends;
  };

  const addTask = (task: TaskDef, parent?: string): [string, string] => {
    const branches = branchesOf(task, schema);
    const card = { label: task.id, type: shortType(task.type), state: states[task.id], parent };
    if (branches.length === 0) {
      node(task.id, { kind: 'task', ...card });
      return [task.id, task.id];
    }
    const group = `group:${task.id}`;
    const end = `end:${task.id}`;
    node(group, { kind: 'group', label: task.id, parent });
    node(task.id, { kind: 'flowable', ...card, parent: group });
    node(end, { kind: 'dot', label: '', parent: group }, DOT);
    for (const branch of branches) {
      const label = branch.label === 'tasks' ? undefined : branch.label;
      if (branch.dependsOn) {
        // a Dag: a task's entry is its own card, so edges can be drawn once every task exists
        const deps = branch.dependsOn;
        const waitedFor = new Set([...deps.values()].flat());
        const exits = new Map(branch.tasks.map((t) => [t.id, addTask(t, group)[1]]));
        for (const t of branch.tasks) {
          const before = (deps.get(t.id) ?? []).filter((id) => exits.has(id));
          if (before.length === 0) edge(task.id, t.id, label);
          for (const id of before) edge(exits.get(id)!, t.id);
          if (!waitedFor.has(t.id)) edge(exits.get(t.id)!, end);
        }
        continue;
      }
      for (const list of branch.parallel ? branch.tasks.map((t) => [t]) : [branch.tasks]) {
        const ends = addList(list, group);
        if (!ends) continue;
        edge(task.id, ends[0], label);
        edge(ends[1], end);
      }
    }
    return [task.id, end];
  };

  node('flow:start', { kind: 'dot', label: 'start' }, DOT);
  node('flow:end', { kind: 'dot', label: 'end' }, DOT);
  const main = addList(flow.tasks);
  const fin = addList(flow.finally);
  if (main) edge('flow:start', main[0]);
  if (main && fin) edge(main[1], fin[0], 'finally');
  if (fin || main) edge((fin ?? main)![1], 'flow:end');
  const errors = addList(flow.errors);
  if (errors) {
    edge('flow:start', errors[0], 'errors');
    edge(errors[1], 'flow:end');
  }

  dagre.layout(g);

  const nodes: GraphNode[] = [];
  for (const id of g.nodes()) {
    const box = g.node(id);
    const info = meta.get(id)!;
    nodes.push({
      ...info,
      x: box.x - box.width / 2,
      y: box.y - box.height / 2,
      width: box.width,
      height: box.height,
    });
  }
  // parents first, as React Flow wants them
  const depth = (n: GraphNode): number => (n.parent ? 1 + depth(nodes.find((p) => p.id === n.parent)!) : 0);
  nodes.sort((a, b) => depth(a) - depth(b));
  return { nodes, edges };
}
