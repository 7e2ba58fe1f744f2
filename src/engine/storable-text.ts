// Text PostgreSQL cannot hold: U+0000 (NUL) in `text` and `jsonb`, or anywhere in a `json` value an
// operator reads (`->`, `->>`, json_array_elements), and lone UTF-16 surrogates, which are not
// characters at all (no UTF-8 encoding exists for them). What comes from outside with such text is
// refused where it enters (see unstorableIn); what a run produces itself (task outputs, log lines,
// rendered values) is kept with the character replaced visibly, so that no write is ever refused
// for it.

/** What stands in for a NUL: U+2400 SYMBOL FOR NULL, visible and one character long, unlike the
 * six characters `\u0000`, which a script may also print literally. */
export const NUL_REPLACEMENT = '\u2400';
/** What stands in for a lone surrogate: U+FFFD, as every UTF-8 encoder writes one. */
export const SURROGATE_REPLACEMENT = '\ufffd';

const SURROGATE = /[\ud800-\udfff]/;
/** In `u` mode a surrogate pair is one code point, so only lone surrogates are category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

function hasUnstorable(text: string): boolean {
  // the cheap test first: most text has no surrogate at all, and pairs must pass the second
  return text.includes('\u0000') || (SURROGATE.test(text) && LONE_SURROGATE.test(text));
}

/** The text with NUL and lone surrogates replaced (the same text when it has none). */
export function storableText(text: string): string {
  if (!hasUnstorable(text)) return text;
  return text.replaceAll('\u0000', NUL_REPLACEMENT).replace(LONE_SURROGATES, SURROGATE_REPLACEMENT);
}

/** `\u0000` and `\udXXX` escapes, each preceded by its run of backslashes: an odd run makes it an
 * escape, an even one is escaped backslashes followed by the letters `u0000`. */
const ESCAPE = /(\\+)u(0000|d[89a-f][0-9a-f]{2})/gi;

/** JSON text written by JSON.stringify with NUL and lone surrogates replaced. JSON.stringify writes
 * both as `\u` escapes (a surrogate pair stays two raw characters), so the JSON text is fixed as
 * text, without parsing: a document of several megabytes costs one scan. */
export function storableJson(json: string): string {
  if (!json.includes('\\u')) return json;
  return json.replace(ESCAPE, (match: string, slashes: string, code: string) => {
    if (slashes.length % 2 === 0) return match;
    const replacement = code === '0000' ? '2400' : 'fffd';
    return `${slashes}u${replacement}`;
  });
}

/** Where a value from outside holds text that cannot be stored, and what it is. */
export interface UnstorableText {
  /** `body.name`, `query.labels[0]`: the path of the field, from the root given */
  path: string;
  problem: string;
}

/** The first string (key or value) in value that holds text PostgreSQL cannot store, or undefined. */
export function unstorableIn(value: unknown, root: string): UnstorableText | undefined {
  if (typeof value === 'string') {
    if (!hasUnstorable(value)) return undefined;
    const problem = value.includes('\u0000')
      ? 'contains U+0000 (NUL), which cannot be stored'
      : 'contains a lone UTF-16 surrogate (not a character), which cannot be stored';
    return { path: root, problem };
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableIn(value[i], `${root}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const keyProblem = unstorableIn(key, `${root}.${storableText(key)}`);
    if (keyProblem) return { ...keyProblem, problem: `has a key that ${keyProblem.problem}` };
    const found = unstorableIn(item, `${root}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** Text from outside that cannot be stored: refused, naming the field. */
export class UnstorableTextError extends Error {
  constructor(readonly where: UnstorableText) {
    super(`${where.path} ${where.problem}`);
  }
}

/** The largest execution document, and task run result, the engine writes, in characters of JSON:
 * every step of an execution rewrites its whole document, and far below PostgreSQL's 1 GB per
 * value a document this size already makes each step slow. Kestra warns of the same (its JDBC
 * queue refuses messages over a configured size). */
export const DEFAULT_MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;

/** A value over the size the engine writes. */
export class TooLargeError extends Error {}

/** The JSON text of value as it is stored (NUL and lone surrogates replaced), refused with a
 * TooLargeError naming `what` when it is longer than maxChars. */
export function storableDocument(value: unknown, maxChars: number, what: string): string {
  return withinLimit(storableJson(JSON.stringify(value)), maxChars, what);
}

/** The JSON text itself, or a TooLargeError naming `what` when it is longer than maxChars. */
export function withinLimit(json: string, maxChars: number, what: string): string {
  if (json.length > maxChars) {
    throw new TooLargeError(
      `${what} is ${millions(json.length)} characters of JSON, over the limit of ${millions(maxChars)}`,
    );
  }
  return json;
}

function millions(chars: number): string {
  return chars >= 1e6 ? `${(chars / 1024 / 1024).toFixed(1)} Mi` : `${chars}`;
}
