// Where the cursor stands in a flow's YAML, read from indentation alone so that it works on the
// half-written text of someone typing (a YAML parser gives up on exactly those lines).

export type Segment = string | number;

export interface CursorContext {
  /** keys and item indexes from the root to the mapping the cursor is in */
  path: Segment[];
  /** `type` of the mapping reached after each number of segments (for anyOf branches) */
  typeAt: Array<string | undefined>;
  /** writing a key, or the value of `key` */
  kind: 'key' | 'value';
  key?: string;
  /** where the word being typed starts */
  from: number;
  /** keys already written in the cursor's mapping */
  present: Set<string>;
}

interface Line {
  /** column of the first character, -1 for blank and comment lines */
  first: number;
  /** columns of the `- ` sequence indicators that open the line */
  dashes: number[];
  keyCol?: number;
  key?: string;
  value?: string;
}

const KEY = String.raw`("[^"]*"|'[^']*'|[^\s#:'"-][^:#]*?|-[^\s:#][^:#]*?)`;
const KEY_LINE = new RegExp(`^${KEY}\\s*:(?:\\s+(.*)|$)`);

function unquote(key: string): string {
  return /^(["']).*\1$/.test(key) ? key.slice(1, -1) : key;
}

function parseLine(text: string): Line {
  const first = text.search(/\S/);
  if (first < 0 || text[first] === '#') return { first: -1, dashes: [] };
  const dashes: number[] = [];
  let col = first;
  while (text[col] === '-' && (col + 1 === text.length || text[col + 1] === ' ')) {
    dashes.push(col);
    col++;
    while (text[col] === ' ') col++;
  }
  const m = KEY_LINE.exec(text.slice(col));
  if (!m) return { first, dashes };
  const value = (m[2] ?? '').replace(/(^|\s)#.*$/, '').trim();
  return { first, dashes, keyCol: col, key: unquote(m[1].trim()), value };
}

interface Chain {
  path: Segment[];
  /** the mapping (a line in it and its key column) after each number of segments; undefined for a list */
  mappings: Array<{ line: number; col: number } | undefined>;
}

/** The path to the mapping whose keys sit at `col` and which holds line `at`. */
function mappingPath(lines: Line[], at: number, col: number): Chain | undefined {
  for (let j = at; j >= 0; j--) {
    const line = lines[j];
    if (line.first < 0) continue;
    if (line.keyCol === col && line.dashes.length > 0) {
      const seq = sequencePath(lines, j, line.dashes[line.dashes.length - 1]);
      return seq && { path: [...seq.path, seq.index], mappings: [...seq.mappings, { line: j, col }] };
    }
    if (line.first >= col) continue;
    // a line further left: the key this mapping is the value of, or a bare `-` item holding it
    if (line.key === undefined && line.dashes.length > 0) {
      const seq = sequencePath(lines, j, line.dashes[line.dashes.length - 1]);
      return seq && { path: [...seq.path, seq.index], mappings: [...seq.mappings, { line: j, col }] };
    }
    if (line.key === undefined || line.value !== '' || line.keyCol === undefined) return undefined;
    const parent = mappingPath(lines, j, line.keyCol);
    return parent && { path: [...parent.path, line.key], mappings: [...parent.mappings, { line: j, col }] };
  }
  return col === 0 ? { path: [], mappings: [{ line: at, col: 0 }] } : undefined;
}

/** The path to the list whose `- ` sit at column `dash`, and the index of its item on line `at`. */
function sequencePath(lines: Line[], at: number, dash: number): (Chain & { index: number }) | undefined {
  let index = 0;
  for (let j = at - 1; j >= 0; j--) {
    const line = lines[j];
    if (line.first < 0 || line.first > dash) continue;
    if (line.first === dash && line.dashes[0] === dash) {
      index++;
      continue;
    }
    // `key:` left of the dashes, or at their column (YAML lets a list start under its key)
    if (line.key === undefined || line.value !== '' || line.keyCol === undefined) return undefined;
    const parent = mappingPath(lines, j, line.keyCol);
    return parent && { path: [...parent.path, line.key], mappings: [...parent.mappings, undefined], index };
  }
  return undefined;
}

/** The scalar values of the keys of the mapping at `col` that holds line `at`. */
function mappingValues(lines: Line[], at: number, col: number): Map<string, string> {
  const values = new Map<string, string>();
  const take = (line: Line) => {
    if (line.keyCol === col && line.key !== undefined) values.set(line.key, line.value ?? '');
  };
  for (let j = at; j >= 0; j--) {
    const line = lines[j];
    if (line.first < 0 || line.first > col) continue;
    if (line.first < col && !(line.keyCol === col && line.dashes.length > 0)) break;
    take(line);
    if (line.dashes.length > 0 && line.keyCol === col) break;
  }
  for (let j = at + 1; j < lines.length; j++) {
    const line = lines[j];
    if (line.first < 0 || line.first > col) continue;
    if (line.first < col) break;
    if (line.dashes.length === 0) take(line);
  }
  return values;
}

export function cursorContext(doc: string, pos: number): CursorContext | undefined {
  const lineStart = doc.lastIndexOf('\n', pos - 1) + 1;
  const before = doc.slice(lineStart, pos);
  const texts = doc.split('\n');
  const lineNo = doc.slice(0, lineStart).split('\n').length - 1;
  const lines = texts.map(parseLine);

  let kind: CursorContext['kind'];
  let col: number;
  let key: string | undefined;
  let word: string;
  const keyTyped = /^(\s*)((?:-\s+)*)([^\s:#'"]*)$/.exec(before);
  const valueTyped = new RegExp(`^(\\s*)((?:-\\s+)*)${KEY}\\s*:\\s+([^\\s#'"]*)$`).exec(before);
  if (keyTyped) {
    kind = 'key';
    word = keyTyped[3];
    col = before.length - word.length;
    const dashes = [...keyTyped[2].matchAll(/-\s+/g)].map((m) => keyTyped[1].length + (m.index ?? 0));
    lines[lineNo] = { first: dashes[0] ?? col, dashes, keyCol: col, key: word, value: '' };
  } else if (valueTyped) {
    kind = 'value';
    key = unquote(valueTyped[3].trim());
    word = valueTyped[4];
    col = valueTyped[1].length + valueTyped[2].length;
  } else {
    return undefined;
  }
  const chain = mappingPath(lines, lineNo, col);
  if (!chain) return undefined;
  const typeAt = chain.mappings.map((m) => (m ? mappingValues(lines, m.line, m.col).get('type') : undefined));
  const present = new Set(mappingValues(lines, lineNo, col).keys());
  if (kind === 'key') present.delete(word);
  return { path: chain.path, typeAt, kind, key, from: pos - word.length, present };
}
