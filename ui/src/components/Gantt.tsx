import { useEffect, useState } from 'react';
import { elapsed, formatDuration } from '../format';
import { Link } from './Link';
import { isTerminal } from '../../../src/engine/state.js';
import type { Execution, TaskRun } from '../types';

/** The execution a Subflow task run started. */
const subflow = (run: TaskRun) =>
  typeof run.outputs?.executionId === 'string' ? run.outputs.executionId : undefined;

/** Task runs in tree order (each parent followed by its children), with their depth. */
function treeOrder(runs: TaskRun[]): Array<{ run: TaskRun; depth: number }> {
  const children = new Map<string | null, TaskRun[]>();
  for (const run of runs) {
    const parent = runs.some((r) => r.id === run.parentTaskRunId) ? run.parentTaskRunId : null;
    children.set(parent, [...(children.get(parent) ?? []), run]);
  }
  const out: Array<{ run: TaskRun; depth: number }> = [];
  const walk = (parent: string | null, depth: number) => {
    for (const run of children.get(parent) ?? []) {
      out.push({ run, depth });
      walk(run.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** Re-renders every `ms` while `active`, so running bars and durations grow. */
export function useTicker(active: boolean, ms: number): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick((t) => t + 1), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
}

/** One row per task run on the execution's time line (its page re-renders it every half second
 * while it runs, so that its durations and the page header's are computed at the same instant); a bar per attempt, coloured by its state. */
export function Gantt({ execution, onSelect }: { execution: Execution; onSelect: (taskId: string) => void }) {
  const start = Date.parse(execution.state.startDate);
  const total = Math.max(elapsed(execution.state.startDate, execution.state.endDate), 1);
  const at = (iso: string | undefined) => ((iso ? Date.parse(iso) : Date.now()) - start) / total;
  const pct = (fraction: number) => `${Math.min(100, Math.max(0, fraction * 100)).toFixed(2)}%`;
  const rows = treeOrder(execution.taskRunList);

  if (rows.length === 0) return <p className="empty">No task has started yet.</p>;
  return (
    <div className="gantt" role="table" aria-label="Task runs">
      <div className="gantt-row gantt-head" role="row">
        <div role="columnheader">Task</div>
        <div role="columnheader" className="gantt-scale">
          <span>0</span>
          <span>{formatDuration(total)}</span>
        </div>
        <div role="columnheader" className="gantt-duration">
          Duration
        </div>
      </div>
      {rows.map(({ run, depth }) => {
        const attempts = run.attempts.length > 0 ? run.attempts : [{ state: run.state }];
        return (
          <div
            key={run.id}
            className="gantt-row"
            role="row"
            data-task-id={run.taskId}
            data-state={run.state.current}
            onClick={() => onSelect(run.taskId)}
            title={`${run.taskId}: ${run.state.current}${run.error ? ` — ${run.error}` : ''}`}
          >
            <div className="gantt-label" role="cell" style={{ paddingLeft: `${10 + depth * 14}px` }}>
              {run.taskId}
              {run.value !== null && <span className="muted"> {run.value}</span>}
              {subflow(run) && (
                <Link
                  className="mono small"
                  href={`/executions/${subflow(run)}`}
                  onClick={(event) => event.stopPropagation()}
                >
                  {' '}
                  ↗ {subflow(run)?.slice(0, 8)}
                </Link>
              )}
            </div>
            <div className="gantt-track" role="cell">
              {attempts.map((attempt, i) => {
                const left = at(attempt.state.startDate);
                const right = at(
                  attempt.state.endDate ??
                    (isTerminal(attempt.state.current) ? run.state.endDate : undefined),
                );
                return (
                  <span
                    key={i}
                    className={`gantt-bar state-${attempt.state.current}`}
                    style={{ left: pct(left), width: `max(3px, ${pct(right - left)})` }}
                    title={`attempt ${i + 1}: ${attempt.state.current}`}
                  />
                );
              })}
            </div>
            <div className="gantt-duration" role="cell">
              {formatDuration(elapsed(run.state.startDate, run.state.endDate))}
              {run.attempts.length > 1 && <span className="muted"> ×{run.attempts.length}</span>}
            </div>
          </div>
        );
      })}
    </div>
  );
}
