// Loads a flow from YAML: every mistake is reported at once, each with the line and column of the node
// to fix, and a valid flow comes back normalised (canonical types, defaults filled in).
import { type Document, isMap, isNode, isScalar, isSeq, type Node } from 'yaml';
import { type LoadContext, UniqueIds } from './context.js';
import { checkInputs, checkOutputs } from './declarations.js';
import { ErrorList } from './errors.js';
import { flowSchema, pluginDefault } from './flow-schema.js';
import { check } from './issues.js';
import type { Flow, FlowError } from './model.js';
import type { PluginDefaultSource } from './plugin-defaults.js';
import { Locator, type SourcePositions } from './positions.js';
import { parseSource } from './source.js';
import { checkTaskList } from './tasks.js';
import { checkTemplates } from './templates.js';
import { checkTriggers } from './triggers.js';

export { formatFlowError } from './errors.js';

export interface LoadResult {
  /** present only when there are no errors */
  flow?: Flow;
  errors: FlowError[];
}

const DEFAULT_SECTIONS = ['pluginDefaults', 'taskDefaults'];

/** Defaults are read even when the flow has other mistakes, so that a property a default supplies is
 * not reported missing. Their own mistakes are reported with the flow's schema. */
function pluginDefaultSources(root: Locator, doc: Document.Parsed): PluginDefaultSource[] {
  const sources: PluginDefaultSource[] = [];
  for (const section of DEFAULT_SECTIONS) {
    const list = root.node([section]);
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      const values = isMap(item) ? item.get('values', true) : undefined;
      const parsed = isNode(item) ? pluginDefault().safeParse(item.toJS(doc)) : undefined;
      if (parsed?.success && isNode(values)) sources.push({ ...parsed.data, node: values });
    }
  }
  return sources;
}

function checkFlow(source: string, errors: ErrorList): Flow | undefined {
  const parsed = parseSource(source, errors);
  if (!parsed) return undefined;
  const { doc, positions } = parsed;
  const root = doc.contents;
  if (!isMap(root)) {
    errors.add(positions.of(root), 'a flow must be a YAML map with at least id, namespace and tasks');
    return undefined;
  }
  const rootLocator = new Locator(positions, [root]);
  const top = check(flowSchema, root.toJS(doc), { locator: rootLocator, errors });
  const ctx = loadContext(source, doc, positions, errors, rootLocator);

  /** A section's node; an empty one (`errors:` alone) counts as absent. */
  const section = (key: string): Node | undefined => {
    const node = rootLocator.node([key]);
    return isScalar(node) && node.value === null ? undefined : node;
  };
  const tasks = (key: string) => {
    const node = section(key);
    return node ? checkTaskList(node, ctx) : [];
  };
  const main = tasks('tasks');
  const onError = tasks('errors');
  const onEnd = tasks('finally');
  const afterExecution = tasks('afterExecution');
  const inputs = checkInputs(section('inputs'), ctx);
  const triggers = checkTriggers(section('triggers'), ctx);
  checkOutputs(section('outputs'), ctx);
  for (const key of ['variables', 'labels']) ctx.checkTemplates(section(key));
  for (const d of ctx.defaults) ctx.checkTemplates(d.node);

  if (!top || !main || !onError || !onEnd || !afterExecution || !inputs || !triggers || errors.size > 0) {
    return undefined;
  }
  return {
    id: top.id,
    namespace: top.namespace,
    ...(top.revision != null && { revision: top.revision }),
    ...(top.description != null && { description: top.description }),
    labels: top.labels ?? {},
    inputs,
    variables: top.variables ?? {},
    tasks: main,
    errors: onError,
    finally: onEnd,
    ...(section('afterExecution') && { afterExecution }),
    triggers,
    ...(top.concurrency && { concurrency: top.concurrency }),
    ...(top.retry && { retry: top.retry }),
    outputs: top.outputs ?? [],
    pluginDefaults: [...(top.pluginDefaults ?? []), ...(top.taskDefaults ?? [])],
    disabled: top.disabled ?? false,
    source,
  };
}

function loadContext(
  source: string,
  doc: Document.Parsed,
  positions: SourcePositions,
  errors: ErrorList,
  root: Locator,
): LoadContext {
  return {
    doc,
    positions,
    errors,
    defaults: pluginDefaultSources(root, doc),
    taskIds: new UniqueIds('task', errors),
    triggerIds: new UniqueIds('trigger', errors),
    checkTemplates: (node) => checkTemplates(node, positions, source, errors),
  };
}

/** Reads and checks one flow file. `file` only labels the errors. */
export function loadFlow(source: string, file: string): LoadResult {
  const errors = new ErrorList(file);
  let flow: Flow | undefined;
  try {
    flow = checkFlow(source, errors);
  } catch (error) {
    // the yaml library refuses to expand anchors into a document far bigger than its text
    if (!(error instanceof ReferenceError && /alias/i.test(error.message))) throw error;
    errors.add({ line: 1, col: 1 }, `invalid YAML: ${error.message}`);
  }
  return flow ? { flow, errors: [] } : { errors: errors.sorted() };
}
