import type { FlowError } from './model.js';

export interface Position {
  line: number;
  col: number;
}

/** Collects every mistake found in one file; validation never stops at the first one. */
export class ErrorList {
  private readonly items: FlowError[] = [];

  constructor(readonly file: string) {}

  add(at: Position, message: string): void {
    const known = this.items.some((e) => e.line === at.line && e.col === at.col && e.message === message);
    if (!known) this.items.push({ file: this.file, line: at.line, col: at.col, message });
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
