// Rows in bulk, instead of records, between two built-in connectors the platform runs in its own
// process (DESIGN.md: "an in-process path may skip stdio entirely, with identical results"). A source
// that can produce a stream's rows in the destination's bulk-load format, exactly as the destination
// would have loaded them from the records' JSON, hands them over a chunk at a time: no JSON is built,
// parsed or converted. Nothing of this crosses a process boundary; it is not part of the Airbyte
// protocol.

/** PostgreSQL's COPY text format: a line per row, tab-separated fields, `\N` for null, backslash escapes. */
export type RowFormat = 'postgres-copy-text';

export interface RowBatch {
  type: 'ROWS';
  stream: string;
  namespace?: string;
  emitted_at: number;
  /** the record fields each line holds, in order */
  fields: string[];
  /** whole lines, each ending with a newline */
  text: Buffer;
  /** how many lines (records) `text` holds */
  count: number;
}
