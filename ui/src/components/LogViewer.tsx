import { useEffect, useMemo, useRef, useState } from 'react';
import { download, followEvents } from '../api';
import type { Execution, LogLine } from '../types';
import { ErrorNote } from './ErrorNote';
import { Link } from './Link';

export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

const two = (n: number) => String(n).padStart(2, '0');

/** `14:03:07.250`, local time: one width for every line, to the millisecond that orders them. */
export function logTime(iso: string): string {
  const d = new Date(iso);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** Log lines; `showExecution` links each to its execution, `showTask` (default) names its task. */
export function LogLines({
  lines,
  showExecution = false,
  showTask = true,
  className = '',
}: {
  lines: Array<Pick<LogLine, 'id' | 'ts' | 'level' | 'message'> & Partial<LogLine>>;
  showExecution?: boolean;
  showTask?: boolean;
  className?: string;
}) {
  return (
    <div className={`log-lines ${showTask ? '' : 'no-task'} ${className}`} role="log">
      {lines.map((line) => (
        <div key={line.id} className={`log-line level-${line.level}`} data-level={line.level}>
          <time className="muted" dateTime={line.ts} title={new Date(line.ts).toLocaleString()}>
            {logTime(line.ts)}
          </time>
          <span className="log-level">{line.level}</span>
          {showExecution && line.executionId && (
            <Link className="mono log-task" href={`/executions/${line.executionId}`}>
              {line.executionId.slice(0, 8)}
            </Link>
          )}
          {showTask && <span className="log-task">{line.taskId ?? '—'}</span>}
          <span className="log-message">{line.message}</span>
        </div>
      ))}
    </div>
  );
}

/** The execution's log, live over Server-Sent Events, filtered by minimum level and by task. */
export function LogViewer({
  execution,
  taskFilter,
  onTaskFilter,
}: {
  execution: Execution;
  taskFilter: string;
  onTaskFilter: (taskId: string) => void;
}) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState<Error>();
  const [minLevel, setMinLevel] = useState<(typeof LEVELS)[number]>('TRACE');
  const bottom = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    const received: LogLine[] = [];
    let scheduled = false;
    setLines([]);
    followEvents(
      `/api/v1/logs/${execution.id}/follow`,
      (_event, data) => {
        received.push(data as LogLine);
        // a burst of lines re-renders once per frame, not once per line
        if (!scheduled) {
          scheduled = true;
          requestAnimationFrame(() => {
            scheduled = false;
            setLines([...received]);
          });
        }
      },
      controller.signal,
    ).catch((e: Error) => setError(e));
    return () => controller.abort();
    // a restart writes new lines into the same execution: follow again when it runs again
  }, [execution.id, execution.state.current === 'RESTARTED']);

  const taskIds = useMemo(
    () => [...new Set(execution.taskRunList.map((r) => r.taskId))],
    [execution.taskRunList],
  );
  const shown = lines.filter(
    (l) => LEVELS.indexOf(l.level) >= LEVELS.indexOf(minLevel) && (!taskFilter || l.taskId === taskFilter),
  );

  useEffect(() => {
    // newer browsers return a promise from scrollIntoView: it must not become the effect's cleanup
    void bottom.current?.scrollIntoView({ block: 'nearest' });
  }, [shown.length]);

  return (
    <div>
      <div className="filters">
        <select
          aria-label="Minimum level"
          value={minLevel}
          onChange={(e) => setMinLevel(e.target.value as (typeof LEVELS)[number])}
        >
          {LEVELS.map((l) => (
            <option key={l}>{l}</option>
          ))}
        </select>
        <select aria-label="Task" value={taskFilter} onChange={(e) => onTaskFilter(e.target.value)}>
          <option value="">All tasks</option>
          {taskIds.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <button
          onClick={() =>
            download(`/api/v1/logs/${execution.id}/download`, `${execution.id}.log`).catch(setError)
          }
        >
          Download
        </button>
      </div>
      <ErrorNote error={error} />
      <LogLines lines={shown} />
      {shown.length === 0 && <p className="empty">No log line{lines.length > 0 ? ' matches' : ' yet'}.</p>}
      <div ref={bottom} />
    </div>
  );
}
