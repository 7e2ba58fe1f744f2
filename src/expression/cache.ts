import type { Expr, Node } from './ast.js';
import { LruCache } from './lru.js';
import { Parser } from './parser.js';

const CAPACITY = 2000;
/** Huge templates are rare and would pin a lot of memory; they are parsed every time. */
const MAX_CACHED_LENGTH = 100_000;

/** One cache per depth limit (the limit changes what parses); the template text itself is the key. */
const templates = new Map<number, LruCache<Node[]>>();
const expressions = new Map<number, LruCache<Expr>>();

function cached<V>(
  caches: Map<number, LruCache<V>>,
  source: string,
  maxDepth: number,
  parse: (source: string, maxDepth: number) => V,
): V {
  if (source.length > MAX_CACHED_LENGTH) return parse(source, maxDepth);
  let cache = caches.get(maxDepth);
  if (!cache) {
    cache = new LruCache<V>(CAPACITY);
    caches.set(maxDepth, cache);
  }
  let value = cache.get(source);
  if (value === undefined) {
    value = parse(source, maxDepth);
    cache.set(source, value);
  }
  return value;
}

export function parseTemplateCached(source: string, maxDepth: number): Node[] {
  return cached(templates, source, maxDepth, Parser.template);
}

export function parseExpressionCached(source: string, maxDepth: number): Expr {
  return cached(expressions, source, maxDepth, Parser.expression);
}
