// Reads the YAML text of a flow, keeping where every node came from. The cost of reading is bounded:
// a text under the size limit is read in time linear in its size, whatever its shape, because the
// API reads flows on the event loop that also answers health checks.
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Scalar,
} from 'yaml';
import type { ErrorList } from './errors.js';
import { SourcePositions } from './positions.js';

export interface ParsedSource {
  doc: Document.Parsed;
  positions: SourcePositions;
}

/** Far above any flow written by hand or generated (the API's default body limit is 1 MiB). */
export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
/** YAML nodes (scalars, maps, lists, aliases) in one flow. */
export const MAX_NODES = 200_000;
/** Nesting of maps and lists; each level of nested tasks takes two. */
export const MAX_DEPTH = 200;
/** Uses of anchors: each expands to a copy when the flow is read, so they multiply its size. */
export const MAX_ALIASES = 1_000;

type Walk = { nodes: number; aliases: number; unknownAliases: number; tooDeep?: Node };

/**
 * One pass over the document in text order: counts nodes and aliases, finds the first node nested
 * too deep, reports duplicate keys (by value, as the yaml library's own check does, but with a set
 * per map instead of a scan per key, which took 48 s for 60,000 keys) and aliases used before their
 * anchor. Stops counting, not walking, past the limits, so it stays linear.
 */
function walk(root: Node | null, positions: SourcePositions, errors: ErrorList): Walk {
  const seen: Walk = { nodes: 0, aliases: 0, unknownAliases: 0 };
  const anchors = new Set<string>();
  const stack: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    seen.nodes++;
    if (isAlias(node)) {
      seen.aliases++;
      if (!anchors.has(node.source)) {
        seen.unknownAliases++;
        errors.add(
          positions.of(node),
          `unknown YAML alias '*${node.source}': define its anchor '&${node.source}' before it`,
        );
      }
      continue;
    }
    const anchor = (node as Node).anchor;
    if (anchor) anchors.add(anchor);
    if (depth > MAX_DEPTH) {
      seen.tooDeep ??= node as Node;
      continue;
    }
    const children: unknown[] = [];
    if (isMap(node)) {
      const keys = new Set<unknown>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const key = (pair.key as Scalar).value;
          if (keys.has(key)) {
            errors.add(positions.of(pair.key), `duplicate key '${String(key)}'`);
          }
          keys.add(key);
        }
        children.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) children.push(item);
    }
    // pushed in reverse so that nodes come off the stack in text order (anchors before aliases)
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], depth: depth + 1 });
  }
  return seen;
}

/** The parsed document, or undefined when the text is not YAML at all, or too big or too deep to
 * read (then nothing else is checked, since anything found in a half-parsed document would be
 * noise). Duplicate keys are reported but not fatal, so that the rest of the flow is still checked. */
export function parseSource(source: string, errors: ErrorList): ParsedSource | undefined {
  const start = { line: 1, col: 1 };
  const bytes = Buffer.byteLength(source);
  if (bytes > MAX_SOURCE_BYTES) {
    errors.add(start, `the flow is ${bytes} bytes long: at most ${MAX_SOURCE_BYTES} are read`);
    return undefined;
  }
  const lineCounter = new LineCounter();
  // Kestra reads flows with SnakeYAML, which understands `<<` merge keys
  const doc = parseDocument(source, { lineCounter, uniqueKeys: false, prettyErrors: false, merge: true });
  const positions = new SourcePositions(lineCounter);
  let fatal = false;
  for (const error of doc.errors) {
    fatal = true;
    errors.add(
      positions.at(error.pos[0]),
      // Kestra's API saves one flow per request too; its bulk and validate calls, like
      // `sluice flow validate`, take a file of several
      error.code === 'MULTIPLE_DOCS'
        ? 'one flow is one YAML document: this text holds several (`---`); send them one by one'
        : `invalid YAML: ${error.message}`,
    );
  }
  if (fatal) return undefined;
  const seen = walk(doc.contents, positions, errors);
  // an alias whose anchor is missing would throw when the document is converted
  fatal = seen.unknownAliases > 0;
  if (seen.nodes > MAX_NODES) {
    errors.add(start, `the flow has ${seen.nodes} YAML nodes: at most ${MAX_NODES} are read`);
    fatal = true;
  }
  if (seen.aliases > MAX_ALIASES) {
    errors.add(start, `the flow uses aliases (*name) ${seen.aliases} times: at most ${MAX_ALIASES} are read`);
    fatal = true;
  }
  if (seen.tooDeep) {
    errors.add(positions.of(seen.tooDeep), `the flow nests maps and lists more than ${MAX_DEPTH} deep`);
    fatal = true;
  }
  return fatal ? undefined : { doc, positions };
}
