export interface Position {
  line: number;
  col: number;
}

/** 1-based line and column of an offset; only computed when an error is reported. */
export function positionAt(source: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, source.length);
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: end - lineStart + 1 };
}

/**
 * Every failure of parsing or rendering. `reason` is the message without the position suffix, for callers
 * that print positions their own way (e.g. `file:line:col: reason`).
 */
export class ExpressionError extends Error {
  readonly reason: string;
  readonly line?: number;
  readonly col?: number;

  constructor(reason: string, position?: Position) {
    super(position ? `${reason} at ${position.line}:${position.col}` : reason);
    this.name = 'ExpressionError';
    this.reason = reason;
    if (position) {
      this.line = position.line;
      this.col = position.col;
    }
  }
}

/**
 * A problem found by a filter, test, function or operator, which does not know where it is in the template:
 * the evaluator adds the position and the expression text.
 */
export class Fault extends Error {
  pos: number | undefined;

  constructor(message: string, pos?: number) {
    super(message);
    this.name = 'Fault';
    this.pos = pos;
  }
}

/**
 * Thrown (not an Error, so no stack is captured) when a variable or key does not exist. `??`, `default` and
 * `is defined` catch it; anywhere else it becomes an ExpressionError naming the missing path.
 */
export class Missing {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly detail?: string,
  ) {}
}

export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}
