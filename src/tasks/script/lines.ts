import { StringDecoder } from 'node:string_decoder';

/** Past this many characters without a newline the pending text is emitted anyway: a process that
 * writes binary or endless progress output to stdout must not grow the worker's memory without bound.
 * Long lines below it are passed whole; the logger does its own capping. */
export const MAX_PENDING_CHARS = 8 * 1024 * 1024;

/** A line longer than the limit comes in pieces: its first (`head`), then the others (`more`, the
 * last one included); a line within the limit comes whole, without a piece. */
export type LinePiece = 'head' | 'more';

export interface LineSplitter {
  push(chunk: Buffer): void;
  /** Emits the last line when the stream ended without a newline. */
  end(): void;
}

/** Splits a byte stream into text lines. Chunk boundaries may fall anywhere, also inside a UTF-8
 * sequence or between `\r` and `\n`; lines come out whole, without their `\n` or `\r\n`. */
export function createLineSplitter(
  onLine: (line: string, piece?: LinePiece) => void,
  maxPending = MAX_PENDING_CHARS,
): LineSplitter {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  /** the line being read is over the limit: its pieces so far have been emitted */
  let cut = false;

  const emit = (line: string): void => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (cut) onLine(text, 'more');
    else onLine(text);
    cut = false;
  };

  const consume = (text: string): void => {
    pending += text;
    let start = 0;
    for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n', start)) {
      emit(pending.slice(start, newline));
      start = newline + 1;
    }
    pending = pending.slice(start);
    if (pending.length > maxPending) {
      // Keep a trailing \r back: its \n may be in the next chunk.
      const keep = pending.endsWith('\r') ? 1 : 0;
      onLine(pending.slice(0, pending.length - keep), cut ? 'more' : 'head');
      cut = true;
      pending = pending.slice(pending.length - keep);
    }
  };

  return {
    push: (chunk) => consume(decoder.write(chunk)),
    end: () => {
      consume(decoder.end());
      if (pending !== '') emit(pending);
      pending = '';
    },
  };
}
