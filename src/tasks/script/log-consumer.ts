import type { TaskLogger } from '../types.js';
import { deepMerge, parseProtocolLine } from './output-lines.js';

/** Turns a script's output lines into task logs and output variables: stdout lines are logged as INFO
 * and stderr lines as WARN (as Kestra does), protocol lines are consumed instead of logged. */
export class ScriptLogConsumer {
  readonly vars: Record<string, unknown> = {};
  /** stderr lines that were logged (protocol lines on stderr do not count) */
  stderrLines = 0;

  constructor(private readonly logger: TaskLogger) {}

  accept(line: string, fromStderr: boolean): void {
    const message = parseProtocolLine(line);
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
}
