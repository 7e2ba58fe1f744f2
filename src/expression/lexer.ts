import { ExpressionError, positionAt } from './errors.js';

export type TokenKind =
  'text' | 'printOpen' | 'printClose' | 'tagOpen' | 'tagClose' | 'name' | 'number' | 'string' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Text content, name, operator, or the decoded string. */
  value: string;
  /** Offsets into the template source, for positions and for quoting expressions in messages. */
  pos: number;
  end: number;
  num?: number;
  /** A double-quoted string with `#{…}` interpolations: literal parts and the tokens of each expression. */
  parts?: (string | Token[])[];
}

type Mode = 'print' | 'tag' | 'interp' | 'bare';

const OPERATORS_3 = ['???'];
const OPERATORS_2 = ['??', '..', '==', '!=', '<=', '>='];
const OPERATORS_1 = '+-*/%~|?:()[]{},.=<>';

const ESCAPES = new Map([
  ['n', '\n'],
  ['t', '\t'],
  ['r', '\r'],
  ['b', '\b'],
  ['f', '\f'],
  ['0', '\0'],
]);

function isNameStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isNamePart(code: number): boolean {
  return isNameStart(code) || isDigit(code);
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

const RAW_OPEN = /\s*(raw|verbatim)\s*(-?)%\}/y;

/**
 * Splits a template into text and the tokens of its `{{ }}` and `{% %}` tags. Comments disappear here,
 * `{% raw %}` bodies become text, and whitespace control (`{{-`, `-}}`…) is applied to the text tokens,
 * so the parser never sees any of them.
 */
export class Lexer {
  private readonly tokens: Token[] = [];
  private pos = 0;
  /** Set by a `-}}`-style close: the next text token loses its leading whitespace. */
  private trimNext = false;

  constructor(
    private readonly src: string,
    private readonly maxDepth: number,
  ) {}

  static template(src: string, maxDepth: number): Token[] {
    const lexer = new Lexer(src, maxDepth);
    lexer.lexTemplate();
    return lexer.tokens;
  }

  /** A bare expression, as given to evaluate(). */
  static expression(src: string, maxDepth: number): Token[] {
    const lexer = new Lexer(src, maxDepth);
    const tokens: Token[] = [];
    lexer.lexExpression(0, 'bare', tokens, 0, 0);
    return tokens;
  }

  private fail(message: string, offset: number): never {
    throw new ExpressionError(message, positionAt(this.src, offset));
  }

  private lexTemplate(): void {
    const { src } = this;
    while (this.pos < src.length) {
      const open = this.findOpening(this.pos);
      if (open < 0) {
        this.pushText(src.slice(this.pos), this.pos);
        break;
      }
      if (open > this.pos) this.pushText(src.slice(this.pos, open), this.pos);
      const kind = src[open + 1];
      const trimBefore = src[open + 2] === '-';
      if (trimBefore) this.trimPreviousText();
      this.trimNext = false;
      const start = open + 2 + (trimBefore ? 1 : 0);
      if (kind === '#') this.lexComment(open, start);
      else if (kind === '{') {
        this.tokens.push({ kind: 'printOpen', value: '{{', pos: open, end: start });
        this.pos = this.lexExpression(start, 'print', this.tokens, open, 0);
      } else {
        RAW_OPEN.lastIndex = start;
        const raw = RAW_OPEN.exec(src);
        if (raw) this.lexRaw(open, raw[1], raw[2] === '-', RAW_OPEN.lastIndex);
        else {
          this.tokens.push({ kind: 'tagOpen', value: '{%', pos: open, end: start });
          this.pos = this.lexExpression(start, 'tag', this.tokens, open, 0);
        }
      }
    }
    this.tokens.push({ kind: 'eof', value: '', pos: src.length, end: src.length });
  }

  private findOpening(from: number): number {
    const { src } = this;
    let i = src.indexOf('{', from);
    while (i >= 0 && i + 1 < src.length) {
      const next = src[i + 1];
      if (next === '{' || next === '%' || next === '#') return i;
      i = src.indexOf('{', i + 1);
    }
    return -1;
  }

  private pushText(text: string, pos: number): void {
    let value = text;
    if (this.trimNext) {
      value = value.trimStart();
      this.trimNext = false;
    }
    if (value.length > 0) this.tokens.push({ kind: 'text', value, pos, end: pos + text.length });
  }

  private trimPreviousText(): void {
    const last = this.tokens[this.tokens.length - 1];
    if (last?.kind === 'text') last.value = last.value.trimEnd();
  }

  private lexComment(open: number, start: number): void {
    const close = this.src.indexOf('#}', start);
    if (close < 0) this.fail('unclosed comment: missing `#}`', open);
    this.trimNext = close > start && this.src[close - 1] === '-';
    this.pos = close + 2;
  }

  private lexRaw(open: number, name: string, trimInside: boolean, bodyStart: number): void {
    const closing = new RegExp(`\\{%(-?)\\s*end${name}\\s*(-?)%\\}`, 'g');
    closing.lastIndex = bodyStart;
    const end = closing.exec(this.src);
    if (!end) this.fail(`\`{% ${name} %}\` is never closed: missing \`{% end${name} %}\``, open);
    let body = this.src.slice(bodyStart, end.index);
    if (trimInside) body = body.trimStart();
    if (end[1] === '-') body = body.trimEnd();
    if (body.length > 0) this.tokens.push({ kind: 'text', value: body, pos: bodyStart, end: end.index });
    this.trimNext = end[2] === '-';
    this.pos = closing.lastIndex;
  }

  /**
   * Tokens of one expression context up to its closing delimiter; returns the offset after it. Braces are
   * counted so that `}}` ending a nested map literal does not close the `{{`.
   */
  private lexExpression(start: number, mode: Mode, out: Token[], openedAt: number, depth: number): number {
    if (depth > this.maxDepth) this.fail(`nested deeper than ${this.maxDepth} levels`, start);
    const { src } = this;
    let i = start;
    let braces = 0;
    for (;;) {
      while (i < src.length && isSpace(src.charCodeAt(i))) i++;
      if (i >= src.length) {
        if (mode === 'bare') {
          out.push({ kind: 'eof', value: '', pos: i, end: i });
          return i;
        }
        if (mode === 'print') this.fail('unclosed `{{`: missing `}}`', openedAt);
        if (mode === 'tag') this.fail('unclosed `{%`: missing `%}`', openedAt);
        this.fail('unclosed `#{` in string: missing `}`', openedAt);
      }
      const c = src[i];
      const code = src.charCodeAt(i);
      if (mode === 'print' && braces === 0) {
        const trim = c === '-' && src.startsWith('}}', i + 1);
        if (trim || src.startsWith('}}', i)) {
          const end = i + (trim ? 3 : 2);
          out.push({ kind: 'printClose', value: '}}', pos: i, end });
          this.trimNext = trim;
          return end;
        }
        if (c === '}') this.fail('unexpected `}`: `{{` must be closed with `}}`', i);
        if (src.startsWith('%}', i)) this.fail('unexpected `%}`: `{{` must be closed with `}}`', i);
      }
      if (mode === 'tag') {
        const trim = c === '-' && src.startsWith('%}', i + 1);
        if (trim || src.startsWith('%}', i)) {
          const end = i + (trim ? 3 : 2);
          out.push({ kind: 'tagClose', value: '%}', pos: i, end });
          this.trimNext = trim;
          return end;
        }
        if (braces === 0 && src.startsWith('}}', i)) {
          this.fail('unexpected `}}`: `{%` must be closed with `%}`', i);
        }
      }
      if (mode === 'interp' && braces === 0 && c === '}') {
        out.push({ kind: 'eof', value: '', pos: i, end: i });
        return i + 1;
      }
      if (isNameStart(code)) {
        let j = i + 1;
        while (j < src.length && isNamePart(src.charCodeAt(j))) j++;
        out.push({ kind: 'name', value: src.slice(i, j), pos: i, end: j });
        i = j;
        continue;
      }
      if (isDigit(code)) {
        let j = i + 1;
        while (j < src.length && isDigit(src.charCodeAt(j))) j++;
        if (src[j] === '.' && isDigit(src.charCodeAt(j + 1))) {
          j += 2;
          while (j < src.length && isDigit(src.charCodeAt(j))) j++;
        }
        const exponent = /^[eE][+-]?\d/.exec(src.slice(j, j + 3));
        if (exponent) {
          j += exponent[0].length;
          while (j < src.length && isDigit(src.charCodeAt(j))) j++;
        }
        const text = src.slice(i, j);
        out.push({ kind: 'number', value: text, num: Number(text), pos: i, end: j });
        i = j;
        continue;
      }
      if (c === '"' || c === "'") {
        const token = this.lexString(i, depth);
        out.push(token);
        i = token.end;
        continue;
      }
      const op = this.matchOperator(i);
      if (!op) this.fail(`unexpected character \`${c}\``, i);
      if (op === '{') braces++;
      else if (op === '}') braces--;
      out.push({ kind: 'op', value: op, pos: i, end: i + op.length });
      i += op.length;
    }
  }

  private matchOperator(i: number): string | undefined {
    const { src } = this;
    for (const op of OPERATORS_3) if (src.startsWith(op, i)) return op;
    for (const op of OPERATORS_2) if (src.startsWith(op, i)) return op;
    return OPERATORS_1.includes(src[i]) ? src[i] : undefined;
  }

  private lexString(start: number, depth: number): Token {
    const { src } = this;
    const quote = src[start];
    const parts: (string | Token[])[] = [];
    let buffer = '';
    let i = start + 1;
    while (i < src.length) {
      const c = src[i];
      if (c === quote) {
        const end = i + 1;
        if (parts.length === 0) return { kind: 'string', value: buffer, pos: start, end };
        if (buffer) parts.push(buffer);
        return { kind: 'string', value: '', parts, pos: start, end };
      }
      if (c === '\\' && i + 1 < src.length) {
        const [text, length] = this.unescape(i);
        buffer += text;
        i += length;
        continue;
      }
      if (quote === '"' && c === '#' && src[i + 1] === '{') {
        if (buffer) parts.push(buffer);
        buffer = '';
        const tokens: Token[] = [];
        i = this.lexExpression(i + 2, 'interp', tokens, i, depth + 1);
        parts.push(tokens);
        continue;
      }
      buffer += c;
      i++;
    }
    return this.fail('unclosed string: missing closing quote', start);
  }

  /** Common escapes; an unknown escape keeps its backslash so regexes and Windows paths survive. */
  private unescape(i: number): [string, number] {
    const next = this.src[i + 1];
    const simple = ESCAPES.get(next);
    if (simple !== undefined) return [simple, 2];
    if (next === '\\' || next === "'" || next === '"' || next === '#') return [next, 2];
    if (next === 'u') {
      const hex = /^[0-9a-fA-F]{4}/.exec(this.src.slice(i + 2, i + 6));
      if (hex) return [String.fromCharCode(Number.parseInt(hex[0], 16)), 6];
    }
    return [`\\${next}`, 2];
  }
}
