// What source-file asks of each file format: a sampled schema for discover, and a streamed read.
import type { JsonObject } from '../../protocol/messages.js';
import type { MatchedFile } from './files.js';

/** Added to every record, as Airbyte's file-based sources do; they replace a record's own fields of
 * the same names (a file written from an earlier read has them), so each names where this read found
 * the record. */
export const SOURCE_FILE_URL = '_ab_source_file_url';
export const SOURCE_FILE_LAST_MODIFIED = '_ab_source_file_last_modified';
export const SOURCE_FILE_FIELDS: readonly string[] = [SOURCE_FILE_LAST_MODIFIED, SOURCE_FILE_URL];

export interface ReadContext {
  /** the record's data as JSON text; a promise only when the output pushes back */
  emit(json: string): Promise<void> | void;
  /** a problem worth telling that does not stop the read (a value kept in another type) */
  warn(message: string): void;
}

export interface FormatReader {
  /** the `properties` of the records' schema, from the first `rows` records of the files in order */
  sample(files: readonly MatchedFile[], rows: number): Promise<JsonObject>;
  /** emits every record of the file, typed by the catalog's `properties`; resolves to their count */
  read(file: MatchedFile, properties: JsonObject, context: ReadContext): Promise<number>;
}

/** The source-file fields of the file's records, as JSON members ready to go into their text. */
export function sourceFileMembers(file: MatchedFile): string {
  return (
    `${JSON.stringify(SOURCE_FILE_LAST_MODIFIED)}:${JSON.stringify(file.modifiedAt)},` +
    `${JSON.stringify(SOURCE_FILE_URL)}:${JSON.stringify(file.path)}`
  );
}

/** The same fields as an object, for a record that had its own and is rebuilt. */
export function sourceFileFields(file: MatchedFile): JsonObject {
  return { [SOURCE_FILE_LAST_MODIFIED]: file.modifiedAt, [SOURCE_FILE_URL]: file.path };
}

/** How to write the JSON text of a record whose columns are known: `{` then, for each kept column,
 * `keys[i]` + its value + `,`, then `close` (the source-file fields and `}`). Columns named like the
 * source-file fields are left out, as those replace them. */
export function recordLayout(
  file: MatchedFile,
  names: readonly string[],
): { columns: number[]; keys: string[]; close: string } {
  return {
    columns: names.flatMap((name, i) => (SOURCE_FILE_FIELDS.includes(name) ? [] : [i])),
    keys: names.map((name) => `${JSON.stringify(name)}:`),
    close: `${sourceFileMembers(file)}}`,
  };
}
