// Stream and field names become table and column names. A name the database can hold as it is stays as
// it is (always quoted, so case, spaces, quotes and keywords are safe); one it cannot hold (too long,
// forbidden characters, a collision) is shortened deterministically and given a hash of the original,
// so the same input always gives the same name and different inputs never share one.
import { createHash } from 'node:crypto';

export interface IdentifierRules {
  /** the longest name the database keeps */
  maxLength: number;
  /** PostgreSQL counts UTF-8 bytes (NAMEDATALEN - 1), MySQL counts characters */
  lengthUnit: 'bytes' | 'chars';
  /** MySQL compares column names without case: `id` and `ID` are one column there */
  caseInsensitive: boolean;
  /** characters the database cannot hold in a name (global regexp); each becomes `_` */
  invalid: RegExp;
  /** an ending the database refuses (MySQL: trailing spaces) */
  invalidEnd?: RegExp;
}

const HASH_CHARS = 8;

export function nameHash(raw: string, length = HASH_CHARS): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, length);
}

function lengthOf(name: string, rules: IdentifierRules): number {
  return rules.lengthUnit === 'bytes' ? Buffer.byteLength(name) : [...name].length;
}

/** The longest prefix of `name` within `max` units, never splitting a character. */
function truncate(name: string, max: number, rules: IdentifierRules): string {
  let out = '';
  let used = 0;
  for (const char of name) {
    const size = rules.lengthUnit === 'bytes' ? Buffer.byteLength(char) : 1;
    if (used + size > max) break;
    out += char;
    used += size;
  }
  return out;
}

function cleaned(raw: string, rules: IdentifierRules): string {
  const name = raw.replace(rules.invalid, '_');
  return rules.invalidEnd ? name.replace(rules.invalidEnd, (end) => '_'.repeat(end.length)) : name;
}

function hashed(raw: string, rules: IdentifierRules): string {
  const base = truncate(cleaned(raw, rules), rules.maxLength - HASH_CHARS - 1, rules);
  return `${base}_${nameHash(raw)}`;
}

/** The database name of one stream or field name, without regard to its neighbours. */
export function identifier(raw: string, rules: IdentifierRules): string {
  const name = cleaned(raw, rules);
  if (name === raw && raw !== '' && lengthOf(raw, rules) <= rules.maxLength) return raw;
  return hashed(raw, rules);
}

/**
 * Names for a set of raw names that must stay distinct (the columns of one table, the tables of one
 * schema). Names are taken in code-point order, so the outcome does not depend on the order the
 * schema lists them; a name colliding with one taken before it (or a reserved one) gets the hashed
 * form. Throws when even that collides, rather than merging two fields into one column.
 */
export function distinctIdentifiers(
  raws: Iterable<string>,
  rules: IdentifierRules,
  reserved: readonly string[] = [],
): Map<string, string> {
  const key = (name: string) => (rules.caseInsensitive ? name.toLowerCase() : name);
  const taken = new Map<string, string>(reserved.map((name) => [key(name), name]));
  const names = new Map<string, string>();
  for (const raw of [...new Set(raws)].sort()) {
    let name = identifier(raw, rules);
    if (taken.has(key(name))) name = hashed(raw, rules);
    const other = taken.get(key(name));
    if (other !== undefined) {
      throw new Error(`the names ${JSON.stringify(other)} and ${JSON.stringify(raw)} map to one identifier`);
    }
    taken.set(key(name), raw);
    names.set(raw, name);
  }
  return names;
}
