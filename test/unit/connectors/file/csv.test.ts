import { describe, expect, test } from 'vitest';
import {
  CsvFormatter,
  CsvParser,
  CsvSyntaxError,
  parseCsvText,
  type CsvField,
} from '../../../../src/connectors/file/csv.js';

const rows = (text: string, dialect?: { delimiter?: string; quote?: string }) =>
  parseCsvText(text, dialect).map((r) => r.fields);

/** Feeds the text in pieces of `size` characters: every boundary the parser may meet mid-token. */
function rowsInPieces(text: string, size: number): { fields: CsvField[]; line: number }[] {
  const out: { fields: CsvField[]; line: number }[] = [];
  const parser = new CsvParser((fields, line) => out.push({ fields, line }));
  for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
  parser.end();
  return out;
}

function syntaxError(text: string): CsvSyntaxError {
  try {
    parseCsvText(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return error;
    throw error;
  }
  throw new Error('parsed without an error');
}

describe('CsvParser', () => {
  test('splits plain fields and LF rows', () => {
    expect(rows('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  });

  test('reads the last row without a line end', () => {
    expect(rows('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  test('treats CRLF and a lone CR as line ends', () => {
    expect(rows('a,b\r\n1,2\r3,4\r\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  test('keeps delimiters, doubled quotes and line breaks inside quoted fields', () => {
    expect(rows('"a,b","say ""hi""","two\r\nlines"\n')).toEqual([['a,b', 'say "hi"', 'two\r\nlines']]);
  });

  test('reads an empty unquoted field as null and a quoted empty one as the empty string', () => {
    expect(rows('a,,""\n,x,\n')).toEqual([
      ['a', null, ''],
      [null, 'x', null],
    ]);
  });

  test('drops a leading byte-order mark', () => {
    expect(rows('\uFEFFid,name\n1,x\n')[0]).toEqual(['id', 'name']);
  });

  test('skips blank lines', () => {
    expect(rows('a\n\n\r\nb\n')).toEqual([['a'], ['b']]);
  });

  test('honours another delimiter and quote character', () => {
    expect(rows("'x;y';z\n", { delimiter: ';', quote: "'" })).toEqual([['x;y', 'z']]);
    expect(rows('a\tb\n', { delimiter: '\t' })).toEqual([['a', 'b']]);
  });

  test('numbers rows by the line they start on, counting breaks inside quotes', () => {
    const parsed = parseCsvText('h\r\n"a\r\nb"\r\n\r\nc\n');
    expect(parsed.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  test('gives the same rows whatever the chunk boundaries', () => {
    const text = '\uFEFFid,"note"\r\n1,"a ""b""\r\nc",\r\n2,,""\r3,"x,y"\n4,z';
    const whole = rowsInPieces(text, text.length);
    for (const size of [1, 2, 3, 5, 7]) expect(rowsInPieces(text, size)).toEqual(whole);
    expect(whole.map((r) => r.fields)).toEqual([
      ['id', 'note'],
      ['1', 'a "b"\r\nc', null],
      ['2', null, ''],
      ['3', 'x,y'],
      ['4', 'z'],
    ]);
  });

  test('a CR at the end of a chunk inside quotes keeps the LF of the next chunk', () => {
    expect(rowsInPieces('"a\r\nb"\n', 3).map((r) => r.fields)).toEqual([['a\r\nb']]);
  });

  test('a quoted field ending in CR followed by a closing quote still ends its row at the LF', () => {
    expect(rows('"a\r"\nb\n')).toEqual([['a\r'], ['b']]);
  });

  test('refuses a quote inside an unquoted field, naming line and column', () => {
    const error = syntaxError('a,b\nx,y"z\n');
    expect([error.line, error.column, error.message]).toEqual([
      2,
      4,
      '2:4: a quote inside an unquoted field (quote the whole field)',
    ]);
  });

  test('refuses text after a closing quote', () => {
    expect(syntaxError('"a"b,c\n').message).toMatch(/^1:4: a character after the closing quote/);
  });

  test('refuses a quoted field left open at the end, naming the line it starts on', () => {
    expect(syntaxError('a\nb,"open\nstill\n').message).toBe(
      '2:1: a quoted field is not closed before the end of the file',
    );
  });

  test('refuses a field longer than the limit at the chunk that exceeds it, naming its row', () => {
    const parser = new CsvParser(() => undefined, { maxFieldChars: 10 });
    parser.push('a\n"');
    expect(() => parser.push('x'.repeat(11))).toThrow(
      '2:1: a field longer than 10 characters (an unclosed quote?)',
    );
  });

  test('refuses a delimiter that is not one character', () => {
    expect(() => new CsvParser(() => undefined, { delimiter: '::' })).toThrow(/one character/);
  });
});

describe('CsvFormatter', () => {
  test('quotes only what needs it and writes CRLF', () => {
    const csv = new CsvFormatter();
    expect(csv.row(['plain', 'a,b', 'say "hi"', 'two\nlines', '', null])).toBe(
      'plain,"a,b","say ""hi""","two\nlines","",\r\n',
    );
  });

  test('quotes a field holding its own delimiter', () => {
    expect(new CsvFormatter('\t').row(['a\tb', 'a,b'])).toBe('"a\tb"\ta,b\r\n');
  });

  test('writes what the parser reads back unchanged', () => {
    const values: CsvField[][] = [
      ['id', 'text', 'empty', 'nil'],
      ['1', 'multi\r\nline, "quoted"', '', null],
      ['2', '\u00e9\u{1F600}', ' spaced ', null],
    ];
    const csv = new CsvFormatter(';');
    const text = values.map((v) => csv.row(v)).join('');
    expect(rows(text, { delimiter: ';' })).toEqual(values);
  });
});
