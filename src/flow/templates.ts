// Checks every template a flow contains (syntax, and that each filter, test and function exists), so
// that a typo in `{{ … }}` is found when the flow is saved rather than when the task runs; errors
// point into the YAML text, not into the template.
import { isMap, isNode, isScalar, isSeq, type Node, Scalar } from 'yaml';
import type { ErrorList, Position } from './errors.js';
import { checkTemplate, isTemplate } from './expressions.js';
import type { SourcePositions } from './positions.js';

const QUOTED: ReadonlySet<string> = new Set([Scalar.QUOTE_DOUBLE, Scalar.QUOTE_SINGLE]);
const BLOCK: ReadonlySet<string> = new Set([Scalar.BLOCK_LITERAL, Scalar.BLOCK_FOLDED]);

/** Where a block scalar's text starts: the line after its `|` or `>` header, at the content's indent. */
function blockStart(scalar: Scalar, positions: SourcePositions, source: string): Position {
  const header = positions.of(scalar);
  const start = scalar.range?.[0] ?? 0;
  const afterHeader = source.indexOf('\n', start) + 1;
  const indent = /^ */.exec(source.slice(afterHeader))?.[0].length ?? 0;
  return { line: header.line + 1, col: indent + 1 };
}

/** The file position of a line:col inside a scalar's value. Exact for one-line scalars; for block and
 * multi-line scalars the line is right and the column approximate (folding and escapes move text). */
function positionIn(
  scalar: Scalar,
  at: { line?: number; col?: number },
  positions: SourcePositions,
  source: string,
): Position {
  const start = positions.of(scalar);
  if (at.line === undefined || at.col === undefined) return start;
  if (scalar.type && BLOCK.has(scalar.type)) {
    const first = blockStart(scalar, positions, source);
    return { line: first.line + at.line - 1, col: first.col + at.col - 1 };
  }
  const quote = scalar.type && QUOTED.has(scalar.type) ? 1 : 0;
  if (at.line === 1) return { line: start.line, col: start.col + quote + at.col - 1 };
  return { line: start.line + at.line - 1, col: at.col };
}

function checkScalar(scalar: Scalar, positions: SourcePositions, source: string, errors: ErrorList): void {
  if (!isTemplate(scalar.value)) return;
  for (const error of checkTemplate(scalar.value)) {
    errors.add(positionIn(scalar, error, positions, source), `invalid expression: ${error.reason}`);
  }
}

/** Checks every string value under node (map keys are names, never templates). */
export function checkTemplates(
  node: Node | null | undefined,
  positions: SourcePositions,
  source: string,
  errors: ErrorList,
): void {
  if (isScalar(node)) checkScalar(node, positions, source, errors);
  else if (isMap(node)) {
    for (const pair of node.items)
      if (isNode(pair.value)) checkTemplates(pair.value, positions, source, errors);
  } else if (isSeq(node)) {
    for (const item of node.items) if (isNode(item)) checkTemplates(item, positions, source, errors);
  }
}
