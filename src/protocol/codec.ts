// The line codec: a connector's stdout is one JSON message per line. Each decoded message keeps the
// bytes of its line, so a pipe can forward records to a destination without serialising them again.
import {
  type AirbyteMessage,
  type JsonObject,
  type AirbyteRecordMessage,
  type LogMessage,
  type RecordMessage,
  isAirbyteMessage,
  recordProblem,
} from './messages.js';

/** Airbyte's own platform refuses messages above a few tens of MiB; a line this long is a broken
 * connector rather than data, and holding it would cost that much memory again per copy. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

export interface DecodedMessage {
  message: AirbyteMessage;
  /** the line as received, without its line ending (UTF-8 JSON when `wrapped` is false) */
  raw: Buffer;
  /** true when the line was not a protocol message and `message` is a LOG holding its text */
  wrapped: boolean;
}

export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`a connector output line exceeds the limit of ${limit} bytes (maxLineBytes)`);
    this.name = 'LineTooLongError';
  }
}

/** A line that is a protocol message but not one anything can act on: committing it would store
 * something the connector never meant (a RECORD whose data is 5 became a row of NULLs). */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** The output ended inside a message: the last line has no newline and is not whole JSON. A process
 * cut off there (killed, or exiting before its output was flushed) lost what came after, so the read
 * is not complete even if it exited 0. */
export class TruncatedMessageError extends ProtocolError {
  constructor(tail: Buffer) {
    const stream = /"stream"\s*:\s*"((?:[^"\\]|\\.){1,200})"/.exec(
      tail.subarray(0, 4096).toString('utf8'),
    )?.[1];
    const what = stream === undefined ? '' : `, a message of stream "${stream}"`;
    super(
      `the output ended in the middle of a message: its last line (${tail.length} bytes${what}) has no newline and is not complete JSON`,
    );
    this.name = 'TruncatedMessageError';
  }
}

export interface DecodeOptions {
  maxLineBytes?: number;
  /** RECORD lines as MessageWriter writes them become TextRecords: their data is parsed only when
   * first read, and a consumer that can use the JSON text as it came (recordDataJson) never parses it.
   * Data that is not JSON then fails where it is read, not here. */
  lazyData?: boolean;
}

/** A record whose `data` is JSON text until first read (then parsed once). JSON.stringify writes it
 * like any record; `data` being a getter, a spread copy of the record lacks it. */
export class TextRecord implements AirbyteRecordMessage {
  [field: string]: unknown;
  declare namespace?: string;
  declare stream: string;
  declare emitted_at: number;
  #json: string | undefined;
  #data: JsonObject | undefined;

  constructor(namespace: string | undefined, stream: string, emittedAt: number, json: string) {
    if (namespace !== undefined) this.namespace = namespace;
    this.stream = stream;
    this.emitted_at = emittedAt;
    this.#json = json;
  }

  get data(): JsonObject {
    if (this.#data === undefined) {
      try {
        this.#data = JSON.parse(this.#json!) as JsonObject;
      } catch (error) {
        throw new Error(
          `a record of stream ${JSON.stringify(this.stream)} whose data is not JSON: ${(error as Error).message}`,
        );
      }
      // once read, the data may be changed in place: its text no longer stands for it
      this.#json = undefined;
    }
    return this.#data;
  }

  set data(data: JsonObject) {
    this.#data = data;
    this.#json = undefined;
  }

  /** the data's JSON text as received, while the data has not been read */
  get dataJson(): string | undefined {
    return this.#json;
  }

  toJSON(): AirbyteRecordMessage {
    const { namespace, stream, emitted_at, data } = this;
    return namespace === undefined ? { stream, emitted_at, data } : { namespace, stream, emitted_at, data };
  }
}

/** The data's JSON text as received, when the record is a TextRecord whose data was never read. */
export function recordDataJson(record: AirbyteRecordMessage): string | undefined {
  return record instanceof TextRecord ? record.dataJson : undefined;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Splits a byte stream into lines (LF or CRLF; a last line without newline counts), refusing any
 * line longer than the limit as soon as it is known to be, not when it ends. */
export function splitLines(
  source: AsyncIterable<Buffer | string>,
  options: DecodeOptions = {},
): AsyncIterableIterator<Buffer> {
  return flatten(splitLineBatches(source, options));
}

/** The lines of a byte stream, those each chunk completes at a time: a consumer that loops over a
 * batch pays for one asynchronous step per chunk rather than one per line. */
export async function* splitLineBatches(
  source: AsyncIterable<Buffer | string>,
  options: DecodeOptions = {},
): AsyncGenerator<Buffer[]> {
  const lines = terminatedLineBatches(source, options);
  for (let next = await lines.next(); ; next = await lines.next()) {
    if (!next.done) yield next.value;
    else if (next.value !== undefined) {
      yield [next.value];
      return;
    } else return;
  }
}

/** The lines that end with a newline, a batch per chunk; returns the last line when it has none. */
async function* terminatedLineBatches(
  source: AsyncIterable<Buffer | string>,
  { maxLineBytes = DEFAULT_MAX_LINE_BYTES }: DecodeOptions = {},
): AsyncGenerator<Buffer[], Buffer | undefined> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const line = (tail: Buffer): Buffer => {
    const whole = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    const end =
      whole.length > 0 && whole[whole.length - 1] === CARRIAGE_RETURN ? whole.length - 1 : whole.length;
    if (end > maxLineBytes) throw new LineTooLongError(maxLineBytes);
    return end === whole.length ? whole : whole.subarray(0, end);
  };
  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    const lines: Buffer[] = [];
    let start = 0;
    try {
      for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
        lines.push(line(chunk.subarray(start, nl)));
        start = nl + 1;
      }
    } finally {
      // the lines before a refused one are delivered before the refusal
      if (lines.length > 0) yield lines;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      // +1: a CR that the next chunk's LF would strip may still be in there
      if (pendingBytes > maxLineBytes + 1) throw new LineTooLongError(maxLineBytes);
    }
  }
  return pendingBytes > 0 ? line(Buffer.alloc(0)) : undefined;
}

/** One item at a time out of batches, at the cost of a resolved promise per item where an async
 * generator costs several times that (the consumers of a connector's output loop a million times). */
export function flatten<T>(batches: AsyncIterator<T[]>): AsyncIterableIterator<T> {
  let batch: T[] = [];
  let index = 0;
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next(): Promise<IteratorResult<T>> {
      if (index < batch.length) return Promise.resolve({ value: batch[index++], done: false });
      return batches.next().then((result): Promise<IteratorResult<T>> | IteratorResult<T> => {
        if (result.done) return { value: undefined, done: true };
        batch = result.value;
        index = 0;
        return iterator.next();
      });
    },
    async return(): Promise<IteratorResult<T>> {
      batch = [];
      await batches.return?.();
      return { value: undefined, done: true };
    },
  };
  return iterator;
}

/** Turns one line into a message; anything else a connector prints becomes a LOG with its text. */
export function decodeLine(raw: Buffer, { lazyData = false }: DecodeOptions = {}): DecodedMessage {
  const text = raw.toString('utf8');
  const record = writtenRecord(text, lazyData);
  if (record) return { message: record, raw, wrapped: false };
  // JSON.parse of a large non-JSON line is costly only to fail: a message always starts with `{`
  if (text.trimStart().startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // not JSON: a log line, below
    }
    if (isAirbyteMessage(value)) {
      const problem = value.type === 'RECORD' ? recordProblem(value.record) : undefined;
      if (problem !== undefined) throw new ProtocolError(problem);
      return { message: value, raw, wrapped: false };
    }
  }
  return { message: logMessage('INFO', text), raw, wrapped: true };
}

const RECORD_START = '{"type":"RECORD","record":{';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;
/** more digits than any millisecond time stamp has: such a number goes the general way */
const MAX_TIME_DIGITS = 15;

/** A RECORD line as MessageWriter writes it, `{"type":"RECORD","record":{["namespace":N,]"stream":S,
 * "emitted_at":T,"data":D}}` with names free of escapes, decoded by hand but for D: the envelope is a
 * third of what JSON.parse spends on a small record. A line of any other shape, or whose D is not
 * exactly one JSON value, is left to the general way (undefined). */
function writtenRecord(text: string, lazyData: boolean): RecordMessage | undefined {
  if (!text.startsWith(RECORD_START) || !text.endsWith('}}')) return undefined;
  let at = RECORD_START.length;
  let namespace: string | undefined;
  if (text.startsWith('"namespace":"', at)) {
    const end = plainStringEnd(text, at + 13);
    if (end === -1 || text.charCodeAt(end + 1) !== COMMA) return undefined;
    namespace = text.slice(at + 13, end);
    at = end + 2;
  }
  if (!text.startsWith('"stream":"', at)) return undefined;
  const streamEnd = plainStringEnd(text, at + 10);
  if (streamEnd === -1 || text.charCodeAt(streamEnd + 1) !== COMMA) return undefined;
  const stream = text.slice(at + 10, streamEnd);
  at = streamEnd + 2;
  if (!text.startsWith('"emitted_at":', at)) return undefined;
  const digits = at + 13;
  at = digits;
  while (at < text.length && text.charCodeAt(at) >= ZERO && text.charCodeAt(at) <= NINE) at++;
  const length = at - digits;
  // JSON has no leading zeros
  if (length === 0 || length > MAX_TIME_DIGITS || (length > 1 && text.charCodeAt(digits) === ZERO)) {
    return undefined;
  }
  if (!text.startsWith(',"data":', at)) return undefined;
  const emittedAt = Number(text.slice(digits, at));
  if (lazyData) {
    // `data` must be the record's last member: a record with more members after it (protocol-legal,
    // `"data":{…},"meta":…`) or a second `namespace` meant to differ from the one read above goes the
    // general way, where JSON.parse sees the whole line
    if (objectEnd(text, at + 8) !== text.length - 2) return undefined;
    const json = text.slice(at + 8, text.length - 2);
    return { type: 'RECORD', record: new TextRecord(namespace, stream, emittedAt, json) };
  }
  let data: JsonObject;
  try {
    data = JSON.parse(text.slice(at + 8, text.length - 2)) as JsonObject;
  } catch {
    return undefined;
  }
  // `"data":5` parses too: the general way refuses it, naming the stream
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  return {
    type: 'RECORD',
    record:
      namespace === undefined
        ? { stream, emitted_at: emittedAt, data }
        : { namespace, stream, emitted_at: emittedAt, data },
  };
}

/** Where a JSON string from `start` ends (its closing quote), or -1 when it holds an escape or a
 * control character before that. */
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Where the JSON object starting at `start` ends (the index after its closing brace), by nesting and
 * strings alone: no value is built. -1 when no object starts there or it never closes. Whether its
 * inside is valid JSON is for whoever reads it. */
function objectEnd(text: string, start: number): number {
  if (text.charCodeAt(start) !== OPEN_BRACE) return -1;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function plainStringEnd(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < 0x20) return -1;
  }
  return -1;
}

export function decodeMessages(
  source: AsyncIterable<Buffer | string>,
  options: DecodeOptions = {},
): AsyncIterableIterator<DecodedMessage> {
  return flatten(decodeMessageBatches(source, options));
}

/** The messages of a byte stream, those each chunk completes at a time (see splitLineBatches). */
export async function* decodeMessageBatches(
  source: AsyncIterable<Buffer | string>,
  options: DecodeOptions = {},
): AsyncGenerator<DecodedMessage[]> {
  const lines = terminatedLineBatches(source, options);
  for (let next = await lines.next(); ; next = await lines.next()) {
    if (next.done) {
      const tail = next.value;
      if (tail === undefined || tail.length === 0) return;
      const last = decodeLine(tail, options);
      if (last.wrapped && tail.toString('utf8').trimStart().startsWith('{')) {
        throw new TruncatedMessageError(tail);
      }
      yield [last];
      return;
    }
    const batch: DecodedMessage[] = [];
    try {
      for (const raw of next.value) if (raw.length > 0) batch.push(decodeLine(raw, options));
    } finally {
      // the messages before a refused one are delivered before the refusal
      if (batch.length > 0) yield batch;
    }
  }
}

export function logMessage(level: LogMessage['log']['level'], message: string): LogMessage {
  return { type: 'LOG', log: { level, message } };
}

/** A RECORD message's line without its newline; data still held as text is not parsed for it. */
export function recordLine(record: AirbyteRecordMessage): string {
  const json = recordDataJson(record);
  if (json === undefined) return JSON.stringify({ type: 'RECORD', record });
  const namespace = record.namespace == null ? '' : `"namespace":${JSON.stringify(record.namespace)},`;
  return `{"type":"RECORD","record":{${namespace}"stream":${JSON.stringify(record.stream)},"emitted_at":${record.emitted_at},"data":${json}}}`;
}

/** One message as a line for stdout or a destination's stdin. */
export function encodeMessage(message: AirbyteMessage): string {
  return `${JSON.stringify(message)}\n`;
}
