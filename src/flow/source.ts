// Reads the YAML text of a flow, keeping where every node came from.
import { type Document, isPair, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import type { ErrorList } from './errors.js';
import { SourcePositions } from './positions.js';

export interface ParsedSource {
  doc: Document.Parsed;
  positions: SourcePositions;
}

function keyStartingAt(doc: Document.Parsed, offset: number): string {
  let name = '';
  visit(doc, {
    Pair(_, pair) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.range?.[0] === offset) {
        name = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return name;
}

/** The parsed document, or undefined when the text is not YAML at all (then nothing else is checked,
 * since anything found in a half-parsed document would be noise). Duplicate keys are reported but not
 * fatal, so that the rest of the flow is still checked. */
export function parseSource(source: string, errors: ErrorList): ParsedSource | undefined {
  const lineCounter = new LineCounter();
  // Kestra reads flows with SnakeYAML, which understands `<<` merge keys
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: true });
  const positions = new SourcePositions(lineCounter);
  let fatal = false;
  for (const error of doc.errors) {
    const at = positions.at(error.pos[0]);
    if (error.code === 'DUPLICATE_KEY') {
      errors.add(at, `duplicate key '${keyStartingAt(doc, error.pos[0])}'`);
    } else {
      fatal = true;
      errors.add(at, `invalid YAML: ${error.message}`);
    }
  }
  // An alias whose anchor is missing only throws when the document is converted; report it here,
  // where its position is known.
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) !== undefined) return;
      fatal = true;
      errors.add(
        positions.at(alias.range?.[0] ?? 0),
        `unknown YAML alias '*${alias.source}': define its anchor '&${alias.source}' before it`,
      );
    },
  });
  return fatal ? undefined : { doc, positions };
}
