// The line codec: a connector's stdout is one JSON message per line. Each decoded message keeps the
// bytes of its line, so a pipe can forward records to a destination without serialising them again.
import { type AirbyteMessage, type LogMessage, isAirbyteMessage } from './messages.js';

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

export interface DecodeOptions {
  maxLineBytes?: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Splits a byte stream into lines (LF or CRLF; a last line without newline counts), refusing any
 * line longer than the limit as soon as it is known to be, not when it ends. */
export async function* splitLines(
  source: AsyncIterable<Buffer | string>,
  { maxLineBytes = DEFAULT_MAX_LINE_BYTES }: DecodeOptions = {},
): AsyncGenerator<Buffer> {
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
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      yield line(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      // +1: a CR that the next chunk's LF would strip may still be in there
      if (pendingBytes > maxLineBytes + 1) throw new LineTooLongError(maxLineBytes);
    }
  }
  if (pendingBytes > 0) yield line(Buffer.alloc(0));
}

/** Turns one line into a message; anything else a connector prints becomes a LOG with its text. */
export function decodeLine(raw: Buffer): DecodedMessage {
  const text = raw.toString('utf8');
  // JSON.parse of a large non-JSON line is costly only to fail: a message always starts with `{`
  if (text.trimStart().startsWith('{')) {
    try {
      const value: unknown = JSON.parse(text);
      if (isAirbyteMessage(value)) return { message: value, raw, wrapped: false };
    } catch {
      // not JSON: a log line, below
    }
  }
  return { message: logMessage('INFO', text), raw, wrapped: true };
}

export async function* decodeMessages(
  source: AsyncIterable<Buffer | string>,
  options: DecodeOptions = {},
): AsyncGenerator<DecodedMessage> {
  for await (const raw of splitLines(source, options)) {
    if (raw.length === 0) continue;
    yield decodeLine(raw);
  }
}

export function logMessage(level: LogMessage['log']['level'], message: string): LogMessage {
  return { type: 'LOG', log: { level, message } };
}

/** One message as a line for stdout or a destination's stdin. */
export function encodeMessage(message: AirbyteMessage): string {
  return `${JSON.stringify(message)}\n`;
}
