// A destination's input when it runs in the platform's process: the messages themselves, through a
// bounded queue. The pipe waits when the destination is behind (backpressure, as a full pipe gives a
// process), and the destination waits when nothing has come yet.
import type { RowBatch } from '../../cdk/rows.js';
import { recordDataJson } from '../../protocol/codec.js';
import type { AirbyteMessage, AirbyteRecordMessage } from '../../protocol/messages.js';
import type { DestinationInput } from './destination-input.js';

type Item = AirbyteMessage | RowBatch;

/** what the queue may hold before the pipe waits, in bytes of data, as far as they are known: one
 * chunk of bulk rows, or a couple of thousand small records. Small on purpose: records that wait in
 * the queue through two young-generation collections are promoted to the old generation, where they
 * pile up as garbage until a full collection. With 4 MiB, a 1M-row sync in records peaked at 326 MB
 * and ran 9.8 s; with 256 KiB, 202 MB and 8.6 s (rows in bulk were as fast either way). */
const DEFAULT_CAPACITY = 256 * 1024;
/** taken items whose slots are dropped from the front at once, when they are half the array */
const COMPACT_AFTER = 1024;
/** the weight of a message whose size is not at hand */
const MESSAGE_WEIGHT = 256;

export class MessageQueue implements DestinationInput, AsyncIterable<Item> {
  private items: (Item | undefined)[] = [];
  private head = 0;
  /** the weights of the messages held */
  private held = 0;
  private ended = false;
  private failure: Error | undefined;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;
  private room: Promise<void> | undefined;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get failed(): Error | undefined {
    return this.failure;
  }

  record(record: AirbyteRecordMessage): Promise<void> | void {
    return this.message({ type: 'RECORD', record });
  }

  message(item: Item): Promise<void> | void {
    if (this.failure) throw this.failure;
    if (this.ended) throw new Error('the destination’s input has ended');
    this.items.push(item);
    this.held += weight(item);
    this.wakeReader?.();
    if (this.held < this.capacity) return;
    this.room ??= new Promise<void>((resolve) => {
      this.wakeWriter = () => {
        this.wakeWriter = undefined;
        this.room = undefined;
        resolve();
      };
    });
    return this.room;
  }

  async end(): Promise<void> {
    this.ended = true;
    this.wakeReader?.();
  }

  /** The destination stopped reading (it ended or failed), or the sync was stopped: whatever waits to
   * write is released, and anything written from now on throws `reason`. */
  close(reason: Error): void {
    this.failure ??= reason;
    this.ended = true;
    this.items = [];
    this.head = 0;
    this.held = 0;
    this.wakeWriter?.();
    this.wakeReader?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    for (;;) {
      if (this.head < this.items.length) {
        const item = this.items[this.head]!;
        // a queue kept full never empties: what was taken must not stay referenced from it
        this.items[this.head++] = undefined;
        this.held -= weight(item);
        if (this.head === this.items.length) {
          this.items = [];
          this.head = 0;
        } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.items.length) {
          this.items.splice(0, this.head);
          this.head = 0;
        }
        if (this.wakeWriter && this.held < this.capacity / 2) this.wakeWriter();
        yield item;
        continue;
      }
      this.wakeWriter?.();
      if (this.failure) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wakeReader = () => {
          this.wakeReader = undefined;
          resolve();
        };
      });
    }
  }
}

function weight(item: Item): number {
  if (item.type === 'ROWS') return item.text.length;
  if (item.type === 'RECORD') return recordDataJson(item.record)?.length ?? MESSAGE_WEIGHT;
  return MESSAGE_WEIGHT;
}
