// What the pipe feeds a destination through: its stdin as lines (LineSink), or, when the platform runs
// a built-in destination in its own process, a queue of objects (MessageQueue).
import type { RowBatch } from '../../cdk/rows.js';
import type { AirbyteMessage, AirbyteRecordMessage } from '../../protocol/messages.js';

export interface DestinationInput {
  /** set once the destination stopped taking input: nothing more reaches it */
  readonly failed: Error | undefined;
  /** A record; `raw` is its line as the source wrote it, when it came as one. Returns a promise only
   * when the destination pushes back. */
  record(record: AirbyteRecordMessage, raw: Buffer | undefined): Promise<void> | void;
  message(message: AirbyteMessage | RowBatch): Promise<void> | void;
  /** No more input. A process's stdin resolves once the process has taken all of it (or is gone); a
   * queue at once, its reader finishing what it holds. */
  end(): Promise<void>;
}
