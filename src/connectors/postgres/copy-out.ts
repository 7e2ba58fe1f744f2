// `COPY … TO STDOUT` as a stream of chunks, as pg-copy-streams' `to` gives it, with the CopyData
// messages of each chunk the socket delivers gathered into one buffer. pg-copy-streams cuts a buffer
// for each message (one per row), lists them and joins them again: on a million rows that was half a
// second of a sync's CPU and most of its garbage. The protocol handling (taking the connection's data
// over, handing it back at CopyDone or an ErrorResponse) stays pg-copy-streams'.
import { type CopyToStreamQuery, to } from 'pg-copy-streams';

const COPY_DATA = 0x64;
const COPY_DONE = 0x63;
const ERROR_RESPONSE = 0x45;
/** messages PostgreSQL may send during a COPY OUT that are not its data: read over */
const INTERSPERSED = new Set([0x48 /* CopyOutResponse */, 0x53 /* ParameterStatus */, 0x4e, 0x41]);
const HEADER = 5;

/** pg-copy-streams' internals this overrides or hands back to */
interface CopyToInternals {
  _buffer: { push(chunk: Buffer): void; size: number };
  _detach(): void;
  _cleanup(): void;
  _parse(chunk: Buffer): boolean;
  push(chunk: Buffer | null): boolean;
}

export function copyOut(sql: string): CopyToStreamQuery {
  const stream = to(sql);
  const internals = stream as unknown as CopyToInternals;
  /** bytes of the message being read that are still to come */
  let remaining = 0;
  /** that message is CopyData, whose bytes are the stream's */
  let data = false;
  /** the start of a message header that the next chunk completes */
  let carry: Buffer | undefined;

  internals._parse = (incoming: Buffer): boolean => {
    const chunk = carry ? Buffer.concat([carry, incoming]) : incoming;
    carry = undefined;
    // the data is gathered at the chunk's start, over the headers it leaves out: the chunk is this
    // stream's alone (taken from the socket), and copyWithin is a memmove, where Buffer#copy costs a
    // JavaScript wrapper per row
    let used = 0;
    let at = 0;
    /** where PostgreSQL's messages that are pg's again start, once the COPY is over */
    let handBack: number | undefined;
    let done = false;
    while (at < chunk.length) {
      if (remaining > 0) {
        const n = Math.min(remaining, chunk.length - at);
        if (data) {
          if (used !== at) chunk.copyWithin(used, at, at + n);
          used += n;
        }
        at += n;
        remaining -= n;
        continue;
      }
      if (chunk.length - at < HEADER) {
        carry = chunk.subarray(at);
        break;
      }
      const code = chunk[at];
      if (code === ERROR_RESPONSE) {
        // pg reads the error and fails the query, which ends this stream with it
        handBack = at;
        break;
      }
      const length = chunk.readUInt32BE(at + 1) - 4;
      if (code === COPY_DATA || INTERSPERSED.has(code)) {
        data = code === COPY_DATA;
        remaining = length;
        at += HEADER;
      } else {
        // CopyDone (or anything else, which ends a COPY OUT as well): what follows is pg's
        if (code === COPY_DONE) at += HEADER + length;
        handBack = at;
        done = true;
        break;
      }
    }
    const drained = used > 0 ? internals.push(chunk.subarray(0, used)) : true;
    if (handBack === undefined) return drained;
    if (handBack < chunk.length) internals._buffer.push(chunk.subarray(handBack));
    internals._detach();
    if (done) {
      internals.push(null);
      internals._cleanup();
    }
    // the connection's data is pg's again: nothing more is read from it here
    return false;
  };
  return stream;
}
