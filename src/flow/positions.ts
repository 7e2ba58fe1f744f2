// Maps paths in a parsed flow (as zod reports them) back to line:col in the YAML text, so that every
// error points at the node a user has to change.
import { isMap, isNode, isScalar, isSeq, type LineCounter, type Node, type YAMLMap } from 'yaml';
import type { Position } from './errors.js';

export type Path = readonly PropertyKey[];

export class SourcePositions {
  constructor(private readonly lineCounter: LineCounter) {}

  at(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, col };
  }

  of(node: Node | null | undefined): Position {
    return node?.range ? this.at(node.range[0]) : { line: 1, col: 1 };
  }
}

interface Reached {
  node: Node;
  /** the key node of the last map step, when the last step was into a map */
  key?: Node;
  depth: number;
}

type MapNode = YAMLMap<unknown, unknown>;
type MapPair = MapNode['items'][number];

/** Each map's pairs by key, built on first use: a flow with tens of thousands of keys and a mistake
 * at each must not cost a scan of the map per mistake. The first of duplicate keys wins. */
const pairIndex = new WeakMap<MapNode, Map<string, MapPair>>();

function pairsByKey(map: MapNode): Map<string, MapPair> {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const pair of map.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      if (!index.has(key)) index.set(key, pair);
    }
    pairIndex.set(map, index);
  }
  return index;
}

/** Follows path from root as far as the YAML tree goes. */
function reach(root: Node, path: Path): Reached {
  let reached: Reached = { node: root, depth: 0 };
  for (const step of path) {
    const { node } = reached;
    if (isMap(node)) {
      const pair = pairsByKey(node).get(String(step));
      if (!pair || !isScalar(pair.key)) break;
      const value = isNode(pair.value) ? pair.value : pair.key;
      reached = { node: value, key: pair.key, depth: reached.depth + 1 };
    } else if (isSeq(node) && typeof step === 'number' && isNode(node.items[step])) {
      reached = { node: node.items[step], depth: reached.depth + 1 };
    } else {
      break;
    }
  }
  return reached;
}

/** A value written without text (`key:` and nothing after) has no position of its own. */
function isEmptyScalar(node: Node): boolean {
  return isScalar(node) && node.value === null && !!node.range && node.range[0] === node.range[1];
}

/** Finds positions for paths relative to one or more YAML nodes that together make up one value (a
 * task and the pluginDefaults merged into it): the node that resolves the path deepest wins. */
export class Locator {
  constructor(
    private readonly positions: SourcePositions,
    private readonly roots: readonly Node[],
  ) {}

  private best(path: Path): Reached | undefined {
    let best: Reached | undefined;
    for (const root of this.roots) {
      const reached = reach(root, path);
      if (!best || reached.depth > best.depth) best = reached;
    }
    return best;
  }

  /** The value at path; the nearest enclosing node when the YAML does not have it. */
  value(path: Path): Position {
    const reached = this.best(path);
    if (!reached) return { line: 1, col: 1 };
    if (reached.depth === path.length && reached.key && isEmptyScalar(reached.node)) {
      return this.positions.of(reached.key);
    }
    return this.positions.of(reached.node);
  }

  /** The key of the last step of path, for a property that should not be there. */
  key(path: Path): Position {
    const reached = this.best(path);
    if (reached?.key && reached.depth === path.length) return this.positions.of(reached.key);
    return this.value(path);
  }

  /** The YAML node at path, from the first root that has it. */
  node(path: Path): Node | undefined {
    for (const root of this.roots) {
      const reached = reach(root, path);
      if (reached.depth === path.length) return reached.node;
    }
    return undefined;
  }
}
