import type { FlowError } from './model.js';

export interface Position {
  line: number;
  col: number;
}

/** Collects every mistake found in one file; validation never stops at the first one. */
export class ErrorList {
  private readonly items: FlowError[] = [];
  /** `line:col:message` of each item: a hostile flow may have tens of thousands of mistakes */
  private readonly known = new Set<string>();

  constructor(readonly file: string) {}

  add(at: Position, message: string): void {
    const key = `${at.line}:${at.col}:${message}`;
    if (this.known.has(key)) return;
    this.known.add(key);
    this.items.push({ file: this.file, line: at.line, col: at.col, message });
  }

  get size(): number {
    return this.items.length;
  }

  /** In file order, so that a reader fixes them top to bottom. */
  sorted(): FlowError[] {
    return [...this.items].sort((a, b) => a.line - b.line || a.col - b.col);
  }
}

export function formatFlowError(e: FlowError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.message}`;
}
