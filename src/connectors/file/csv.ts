// CSV as RFC 4180 has it, parsed incrementally from text chunks: quoted fields with doubled quotes,
// delimiters and line breaks inside quotes, CRLF, LF or CR line ends, a leading byte-order mark.
// As PostgreSQL's COPY does, an empty unquoted field is null and a quoted empty field ("") is the
// empty string, so a file written here gives back exactly the nulls and empty strings it was given.

export interface CsvDialect {
  /** one character; default `,` */
  delimiter?: string;
  /** one character; default `"` */
  quote?: string;
  /** the longest field accepted; default 64 Mi characters, as the protocol's own line limit */
  maxFieldChars?: number;
}

export type CsvField = string | null;

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${line}:${column}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

const CR = 0x0d;
const LF = 0x0a;
const BOM = 0xfeff;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** a quote inside a quoted field: the field's end, or the first half of a doubled quote */
  QuoteInQuoted,
}

function singleChar(value: string, what: string): number {
  if (value.length !== 1)
    throw new Error(`the CSV ${what} must be one character, got ${JSON.stringify(value)}`);
  return value.charCodeAt(0);
}

/**
 * Feed it text with `push`, then call `end`; each complete row goes to `onRow` with the number of the
 * line it starts on (1-based, counting the line breaks inside quoted fields). Blank lines are skipped.
 */
export class CsvParser {
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly quoteText: string;
  private readonly maxFieldChars: number;
  private state = State.FieldStart;
  private fields: CsvField[] = [];
  /** the current field's text from earlier chunks or before a doubled quote */
  private partial = '';
  private line = 1;
  private rowLine = 1;
  /** a CR ended the last line: an LF right after it belongs to the same line end */
  private afterCr = false;
  /** offset in the whole input of the current line's first character, for column numbers */
  private lineStart = 0;
  private consumed = 0;
  private started = false;

  constructor(
    private readonly onRow: (fields: CsvField[], line: number) => void,
    { delimiter = ',', quote = '"', maxFieldChars = 64 * 1024 * 1024 }: CsvDialect = {},
  ) {
    this.maxFieldChars = maxFieldChars;
    this.delimiter = singleChar(delimiter, 'delimiter');
    this.quote = singleChar(quote, 'quote character');
    this.quoteText = quote;
    if (this.delimiter === this.quote || [CR, LF].includes(this.delimiter) || [CR, LF].includes(this.quote)) {
      throw new Error('the CSV delimiter and quote character must differ and not be line breaks');
    }
  }

  /** the line the parser has reached, for errors raised outside it (a bad byte in the next chunk) */
  get currentLine(): number {
    return this.line;
  }

  push(text: string): void {
    let i = 0;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === BOM) i = 1;
    }
    const n = text.length;
    let segment = i;
    const { delimiter, quote } = this;
    while (i < n) {
      const c = text.charCodeAt(i);
      // inside quotes, countLineBreaks pairs a CR with its LF, which is part of the field's text
      if (this.afterCr && this.state !== State.Quoted) {
        this.afterCr = false;
        if (c === LF) {
          this.lineStart = this.consumed + i + 1;
          segment = ++i;
          continue;
        }
      }
      switch (this.state) {
        case State.FieldStart:
          if (this.fields.length === 0) this.rowLine = this.line;
          if (c === quote) {
            this.state = State.Quoted;
            segment = i + 1;
          } else if (c === delimiter) {
            this.fields.push(null);
          } else if (c === CR || c === LF) {
            this.fields.push(null);
            this.endRow(c, i);
          } else {
            this.state = State.Unquoted;
            segment = i;
          }
          i++;
          break;
        case State.Unquoted: {
          // the common case: scan to the end of the field without changing state per character
          let j = i;
          let d = c;
          while (d !== delimiter && d !== CR && d !== LF && d !== quote) {
            if (++j === n) break;
            d = text.charCodeAt(j);
          }
          i = j;
          if (i === n) break;
          if (d === quote) this.fail('a quote inside an unquoted field (quote the whole field)', i);
          this.fields.push(this.partial + text.slice(segment, i));
          this.partial = '';
          if (d === delimiter) this.state = State.FieldStart;
          else this.endRow(d, i);
          i++;
          break;
        }
        case State.Quoted: {
          const close = text.indexOf(this.quoteText, i);
          const end = close === -1 ? n : close;
          this.countLineBreaks(text, i, end);
          i = end;
          if (close !== -1) {
            this.afterCr = false;
            this.partial += text.slice(segment, close);
            this.state = State.QuoteInQuoted;
            i++;
          }
          break;
        }
        case State.QuoteInQuoted:
          if (c === quote) {
            this.partial += this.quoteText;
            this.state = State.Quoted;
            segment = i + 1;
          } else if (c === delimiter) {
            this.fields.push(this.partial);
            this.partial = '';
            this.state = State.FieldStart;
          } else if (c === CR || c === LF) {
            this.fields.push(this.partial);
            this.partial = '';
            this.endRow(c, i);
          } else {
            this.fail('a character after the closing quote of a field (a delimiter or line end expected)', i);
          }
          i++;
          break;
      }
    }
    if (this.state === State.Unquoted || this.state === State.Quoted) {
      this.partial += text.slice(segment, n);
      // an unclosed quote would otherwise hold the rest of the file in memory before failing at its end
      if (this.partial.length > this.maxFieldChars) {
        throw new CsvSyntaxError(
          `a field longer than ${this.maxFieldChars} characters (an unclosed quote?)`,
          this.rowLine,
          1,
        );
      }
    }
    this.consumed += n;
  }

  /** The input is complete: emits the last row, or fails when a quoted field was never closed. */
  end(): void {
    switch (this.state) {
      case State.Quoted:
        throw new CsvSyntaxError('a quoted field is not closed before the end of the file', this.rowLine, 1);
      case State.Unquoted:
      case State.QuoteInQuoted:
        this.fields.push(this.partial);
        this.partial = '';
        break;
      case State.FieldStart:
        // after a trailing delimiter, the last field is an empty one
        if (this.fields.length > 0) this.fields.push(null);
        break;
    }
    if (this.fields.length > 0) this.emit();
    this.state = State.FieldStart;
  }

  private endRow(lineEnd: number, at: number): void {
    this.emit();
    this.state = State.FieldStart;
    this.newLine(lineEnd, at);
  }

  private emit(): void {
    const fields = this.fields;
    this.fields = [];
    if (fields.length === 1 && fields[0] === null) return;
    this.onRow(fields, this.rowLine);
  }

  private newLine(lineEnd: number, at: number): void {
    this.line++;
    this.lineStart = this.consumed + at + 1;
    if (lineEnd === CR) this.afterCr = true;
  }

  private countLineBreaks(text: string, from: number, to: number): void {
    for (let k = from; k < to; k++) {
      const c = text.charCodeAt(k);
      if (c === LF && this.afterCr) {
        this.afterCr = false;
        this.lineStart = this.consumed + k + 1;
      } else if (c === CR || c === LF) {
        this.afterCr = false;
        this.newLine(c, k);
      } else {
        this.afterCr = false;
      }
    }
  }

  private fail(message: string, at: number): never {
    throw new CsvSyntaxError(message, this.line, this.consumed + at - this.lineStart + 1);
  }
}

/** Parses a whole text at once: what tests and small inputs want. */
export function parseCsvText(text: string, dialect?: CsvDialect): { fields: CsvField[]; line: number }[] {
  const rows: { fields: CsvField[]; line: number }[] = [];
  const parser = new CsvParser((fields, line) => rows.push({ fields, line }), dialect);
  parser.push(text);
  parser.end();
  return rows;
}

/** Writes rows the parser above reads back unchanged: null as an empty field, "" quoted. */
export class CsvFormatter {
  private readonly needsQuotes: RegExp;

  constructor(private readonly delimiter = ',') {
    singleChar(delimiter, 'delimiter');
    if (['"', '\r', '\n'].includes(delimiter))
      throw new Error('the CSV delimiter cannot be a quote or line break');
    const escaped = delimiter.replace(/[\\\]^-]/g, '\\$&');
    this.needsQuotes = new RegExp(`["\r\n${escaped}]`);
  }

  field(value: CsvField): string {
    if (value === null) return '';
    if (value === '' || this.needsQuotes.test(value)) return `"${value.replaceAll('"', '""')}"`;
    return value;
  }

  /** one row and its CRLF line end */
  row(values: readonly CsvField[]): string {
    let line = '';
    for (let i = 0; i < values.length; i++) {
      if (i > 0) line += this.delimiter;
      line += this.field(values[i]);
    }
    return `${line}\r\n`;
  }
}
