import type { TaskLogger } from '../types.js';
import { type LinePiece, MAX_PENDING_CHARS } from './lines.js';
import { deepMerge, parseProtocolLine } from './output-lines.js';

/** Turns a script's output lines into task logs and output variables: stdout lines are logged as INFO
 * and stderr lines as WARN (as Kestra does), protocol lines are consumed instead of logged. */
export class ScriptLogConsumer {
  readonly vars: Record<string, unknown> = {};
  /** stderr lines that were logged (protocol lines on stderr do not count) */
  stderrLines = 0;
  /** protocol lines too long to be read: their outputs are missing, so the task run must fail */
  unreadProtocolLines = 0;
  /** the pieces of an overlong protocol line still to come are skipped, not logged */
  private skipping = false;

  constructor(private readonly logger: TaskLogger) {}

  accept(line: string, fromStderr: boolean, piece?: LinePiece): void {
    if (piece === 'more' && this.skipping) return;
    this.skipping = false;
    if (piece === 'head' && line.startsWith('::{')) {
      this.unreadProtocolLines++;
      this.skipping = true;
      return;
    }
    const message = piece ? undefined : parseProtocolLine(line);
    if (message) {
      if (message.outputs) deepMerge(this.vars, message.outputs);
      for (const log of message.logs) this.logger.log(log.level, log.message);
      return;
    }
    if (fromStderr) {
      this.stderrLines++;
      this.logger.warn(line);
    } else {
      this.logger.info(line);
    }
  }

  /** Why the task run must fail although its process succeeded, if it must. */
  problem(): string | undefined {
    if (this.unreadProtocolLines === 0) return undefined;
    return (
      `${this.unreadProtocolLines} outputs line(s) (::{…}::) longer than ${MAX_PENDING_CHARS} characters could not be read, ` +
      'so their outputs are missing: write large outputs to a file (outputFiles) instead'
    );
  }
}
