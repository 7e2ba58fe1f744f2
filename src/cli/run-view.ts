// What `flow run` shows on a terminal while its execution runs: each task run's state as it changes
// and the run's log lines as they are written, with a sync's progress as one line per stream that is
// rewritten in place below them, so a long sync shows where it is without scrolling the screen away.
import type { Execution } from '../engine/execution.js';
import type { LogLine } from '../engine/messages.js';
import { isTerminal, type StateType } from '../engine/state.js';
import { parseProgressLine } from '../tasks/sync/progress.js';

export interface Terminal {
  write(text: string): unknown;
  /** width in characters; a progress line longer than this would wrap and break the rewriting */
  columns?: number;
}

const CLEAR_BELOW = '\x1b[0J';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';
const STATE_COLOURS: Readonly<Record<string, string>> = {
  SUCCESS: '\x1b[32m',
  WARNING: '\x1b[33m',
  FAILED: '\x1b[31m',
  KILLED: '\x1b[31m',
  RUNNING: '\x1b[36m',
};

export class LiveRunView {
  private readonly states = new Map<string, StateType>();
  /** the latest progress line of each running stream, by task run and stream */
  private readonly progress = new Map<string, { taskRunId: string; text: string }>();
  private drawnLines = 0;

  constructor(private readonly out: Terminal) {}

  update(execution: Execution, newLogs: readonly LogLine[]): void {
    const changed = execution.taskRunList.filter((tr) => this.states.get(tr.id) !== tr.state.current);
    // redrawn only when something changed: a terminal left alone keeps its scrollback readable
    if (changed.length === 0 && newLogs.length === 0) return;
    this.erase();
    for (const tr of changed) {
      const state = tr.state.current;
      this.states.set(tr.id, state);
      const at = tr.state.histories.at(-1)?.date ?? new Date().toISOString();
      const value = tr.value === null ? '' : ` [${tr.value}]`;
      const attempt = tr.attempts.length > 1 ? ` (attempt ${tr.attempts.length})` : '';
      const error = tr.error && state !== 'RUNNING' ? ` — ${tr.error}` : '';
      this.out.write(`${clock(at)} ${tr.taskId}${value} ${coloured(state)}${attempt}${error}\n`);
      if (isTerminal(state)) this.forgetProgressOf(tr.id);
    }
    for (const line of newLogs) {
      const progress = parseProgressLine(line.message);
      const runState = line.taskRunId ? this.states.get(line.taskRunId) : undefined;
      if (progress && line.taskRunId && !(runState && isTerminal(runState))) {
        this.progress.set(`${line.taskRunId}\n${progress.stream}`, {
          taskRunId: line.taskRunId,
          text: `${line.taskId}: ${line.message}`,
        });
        continue;
      }
      const level = line.level === 'INFO' ? '' : `${line.level} `;
      this.out.write(`${DIM}${clock(line.ts)}${RESET}   ${line.taskId ?? ''}: ${level}${line.message}\n`);
    }
    this.draw();
  }

  /** Leaves the screen with no progress lines, before the final summary is written. */
  finish(): void {
    this.erase();
    this.progress.clear();
  }

  private forgetProgressOf(taskRunId: string): void {
    for (const [key, p] of this.progress) if (p.taskRunId === taskRunId) this.progress.delete(key);
  }

  private draw(): void {
    // a pseudo-terminal may report 0 columns
    const width = Math.max((this.out.columns || 80) - 1, 20);
    for (const { text } of this.progress.values()) {
      const line = `  ⟳ ${text}`;
      this.out.write(`${line.length > width ? `${line.slice(0, width - 1)}…` : line}\n`);
    }
    this.drawnLines = this.progress.size;
  }

  private erase(): void {
    // cursor to the start of the first progress line, then clear everything below it
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}F${CLEAR_BELOW}`);
    this.drawnLines = 0;
  }
}

function coloured(state: string): string {
  const colour = STATE_COLOURS[state];
  return colour ? `${colour}${state}${RESET}` : state;
}

/** The local time of day of an ISO timestamp, as a terminal user reads it. */
function clock(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toTimeString().slice(0, 8);
}
