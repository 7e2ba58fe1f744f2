/** Every expression node keeps its source span: errors quote the exact text (`inputs['a-b'].c`). */
interface Span {
  start: number;
  end: number;
}

export interface CallArgs {
  positional: Expr[];
  named: { name: string; value: Expr }[];
}

export type BinaryOp =
  | 'or'
  | 'and'
  | '=='
  | '!='
  | '<'
  | '>'
  | '<='
  | '>='
  | 'in'
  | 'not in'
  | 'contains'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '~'
  | '..'
  | '??'
  | '???';

export type Expr = Span &
  /**
   * `decimal` marks a number written with a point or exponent: JS cannot tell 2.0 from 2, but Pebble's
   * `x / 2.0` must divide as floating point.
   */
  (
    | { type: 'literal'; value: unknown; decimal?: boolean }
    | { type: 'name'; name: string }
    | { type: 'member'; object: Expr; key: Expr | string }
    | { type: 'list'; items: Expr[] }
    | { type: 'map'; entries: { key: string; value: Expr }[] }
    | { type: 'interpolation'; parts: (string | Expr)[] }
    | { type: 'unary'; op: '-' | '+' | 'not'; operand: Expr }
    | { type: 'binary'; op: BinaryOp; left: Expr; right: Expr }
    | { type: 'ternary'; test: Expr; then: Expr; otherwise: Expr }
    | { type: 'filter'; input: Expr; name: string; args: CallArgs; namePos: number }
    | { type: 'test'; input: Expr; name: string; negated: boolean; args: CallArgs; namePos: number }
    | { type: 'call'; name: string; args: CallArgs }
  );

export interface Branch {
  test: Expr;
  body: Node[];
}

export type Node =
  | { type: 'text'; value: string }
  | { type: 'print'; expr: Expr }
  | { type: 'if'; branches: Branch[]; otherwise: Node[] | null }
  | {
      type: 'for';
      keyName: string | null;
      valueName: string;
      iterable: Expr;
      body: Node[];
      otherwise: Node[] | null;
    }
  | { type: 'set'; name: string; value: Expr };
