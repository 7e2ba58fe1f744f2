// A YAML file may hold several flows, one per document (`---` between them), as Kestra's bulk and
// validate endpoints and its `flow namespace update` command take them. Each is read on its own.
import { parseAllDocuments } from 'yaml';
import type { FlowError } from './model.js';

export interface FlowDocument {
  /** the document's own text, which becomes that flow's source */
  source: string;
  /** lines before it in the file, to report its errors where they are */
  lineOffset: number;
}

/** The documents of a text, empty ones left out; one document (or text YAML cannot split) is the
 * whole text, so its errors are reported as they always were. */
export function flowDocuments(source: string): FlowDocument[] {
  let docs;
  try {
    docs = parseAllDocuments(source);
  } catch {
    return [{ source, lineOffset: 0 }];
  }
  if (!Array.isArray(docs) || docs.length < 2) return [{ source, lineOffset: 0 }];
  const out: FlowDocument[] = [];
  for (const doc of docs) {
    if (doc.contents === null) continue;
    const [start, , end] = doc.range;
    let lineStart = source.lastIndexOf('\n', start - 1) + 1;
    // the `---` line that opens a document belongs to the file, not to the flow
    const marker = /^---[ \t]*(#[^\n]*)?\r?\n/.exec(source.slice(lineStart, end));
    if (marker) lineStart += marker[0].length;
    out.push({
      source: source.slice(lineStart, end),
      lineOffset: source.slice(0, lineStart).split('\n').length - 1,
    });
  }
  return out.length > 0 ? out : [{ source, lineOffset: 0 }];
}

/** Errors of one document, at their lines in the whole file. */
export function shiftErrors(errors: FlowError[], lineOffset: number): FlowError[] {
  return lineOffset === 0 ? errors : errors.map((e) => ({ ...e, line: e.line + lineOffset }));
}
