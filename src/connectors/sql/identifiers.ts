// Stream, namespace and field names become schema, table and column names as Airbyte's destinations
// make them, so dbt models written against Airbyte's tables find the same names here. Both databases
// start from the bulk CDK's Transformations.toAlphanumericAndUnderscore (accents stripped through
// NFKD, runs of white space and every other character that is not an ASCII letter, digit or `_`
// become `_`); destination-postgres 3.x then puts `_` before a leading digit and cuts names over 63
// characters to 54 plus `_` and the last 8 characters of Java's String.hashCode; destination-mysql
// lower-cases and cuts names over 44 characters to their first and last 21 joined by `__`.
// Collisions are resolved as the bulk CDK's ColumnNameResolver and TableNameResolver do.
import { createHash } from 'node:crypto';

export interface IdentifierRules {
  /** the name the database gets for one raw name, before collisions are looked at */
  clean(raw: string): string;
  /** MySQL compares column names without case: `id` and `ID` are one column there */
  caseInsensitive: boolean;
}

export function nameHash(raw: string, length = 8): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, length);
}

/** Transformations.toAlphanumericAndUnderscore: Java's \p{Alnum} without flags is ASCII only. */
export function alphanumericAndUnderscore(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[ \t\n\x0B\f\r]+/g, '_')
    .replace(/[^A-Za-z0-9_]/gu, '_');
}

/** Java's String.hashCode over UTF-16 code units, as a signed 32-bit number. */
export function javaHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return hash;
}

/** A name that cleaned to nothing. Airbyte uses a random UUID here, which gives another table at every
 * sync; a hash of the raw name keeps it stable (docs/sync.md). */
function defaultName(raw: string): string {
  return `default_name_${nameHash(raw, 16)}`;
}

/** destination-postgres 3.x's toPostgresCompatibleName. */
export function postgresName(raw: string): string {
  let name = alphanumericAndUnderscore(raw);
  if (/^[0-9]/.test(name)) name = `_${name}`;
  if (name === '') return defaultName(raw);
  if (name.length > 63) name = `${name.slice(0, 54)}_${String(javaHashCode(name)).slice(-8)}`;
  return name;
}

/** destination-mysql's MySQLNameTransformer.getIdentifier: lower case, at most 44 characters (it keeps
 * 20 of MySQL's 64 for suffixes). */
export function mysqlName(raw: string): string {
  const name = alphanumericAndUnderscore(raw).toLowerCase();
  if (name === '') return defaultName(raw);
  if (name.length <= MYSQL_NAME_LENGTH) return name;
  const half = (MYSQL_NAME_LENGTH - 2) >> 1;
  return `${name.slice(0, half)}__${name.slice(name.length - half)}`;
}

const MYSQL_NAME_LENGTH = 44;

/**
 * Column names for the fields of one stream, in the schema's order: a name taken already (or a
 * reserved one) is retried as `<field>_1`, `<field>_2`… cleaned; when cutting long names makes those
 * suffixes no help, as `<prefix><length><suffix>` of the raw name. Throws when even that collides,
 * rather than merging two fields into one column.
 */
export function columnNames(
  fields: Iterable<string>,
  rules: IdentifierRules,
  reserved: readonly string[] = [],
): Map<string, string> {
  const same = (a: string, b: string) =>
    rules.caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b;
  const taken: string[] = [...reserved];
  const conflicts = (name: string) => taken.some((t) => same(t, name));
  const names = new Map<string, string>();
  for (const field of new Set(fields)) {
    const cleaned = rules.clean(field);
    let name = cleaned;
    if (conflicts(name)) {
      let previous = cleaned;
      for (let counter = 1; ; counter++) {
        name = rules.clean(`${field}_${counter}`);
        if (same(name, previous)) {
          name = shortened(field, cleaned.length, rules, conflicts);
          break;
        }
        if (!conflicts(name)) break;
        previous = name;
      }
    }
    taken.push(name);
    names.set(field, name);
  }
  return names;
}

function shortened(
  field: string,
  maxLength: number,
  rules: IdentifierRules,
  conflicts: (name: string) => boolean,
): string {
  const affix = (maxLength - 5) >> 1;
  const fail = () =>
    new Error(`cannot find a column name for field ${JSON.stringify(field)} that no other field has`);
  if (affix <= 0 || field.length < 2 * affix) throw fail();
  const name = rules.clean(`${field.slice(0, affix)}${field.length - 2 * affix}${field.slice(-affix)}`);
  if (conflicts(name)) throw fail();
  return name;
}

/** Table names for streams of one schema, in the catalog's order: a stream whose name is taken
 * already gets `<name>_<3 hex digits of sha1(schema&airbyte&name)>`, cleaned. */
export function tableNames(
  schema: string,
  streams: Iterable<string>,
  rules: IdentifierRules,
): Map<string, string> {
  const key = (name: string) => (rules.caseInsensitive ? name.toLowerCase() : name);
  const taken = new Set<string>();
  const names = new Map<string, string>();
  for (const stream of new Set(streams)) {
    let name = rules.clean(stream);
    if (taken.has(key(name))) {
      const hash = createHash('sha1').update(`${schema}&airbyte&${stream}`).digest('hex').slice(0, 3);
      name = rules.clean(`${stream}_${hash}`);
      if (taken.has(key(name))) {
        throw new Error(
          `the streams of schema ${JSON.stringify(schema)} named like ${JSON.stringify(stream)} map to one table`,
        );
      }
    }
    taken.add(key(name));
    names.set(stream, name);
  }
  return names;
}
