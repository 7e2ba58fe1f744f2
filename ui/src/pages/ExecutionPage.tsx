import { Suspense, useEffect, useMemo, useState } from 'react';
import { api, followEvents } from '../api';
import { ErrorNote } from '../components/ErrorNote';
import { Gantt } from '../components/Gantt';
import { Link } from '../components/Link';
import { LogViewer } from '../components/LogViewer';
import { Outputs } from '../components/Outputs';
import { StateBadge } from '../components/StateBadge';
import { Tabs } from '../components/Tabs';
import { elapsed, formatDate, formatDuration } from '../format';
import { useLoad } from '../hooks';
import { Topology } from '../lazy';
import { navigate } from '../router';
import { useTheme } from '../theme';
import { isTerminal } from '../../../src/engine/state.js';
import type { Execution, Flow, StateType } from '../types';

type Tab = 'gantt' | 'logs' | 'topology' | 'outputs';

/** The execution document, live: the follow stream sends it at once and on every change until it ends. */
function useExecution(id: string): { execution: Execution | undefined; error: Error | undefined } {
  const [execution, setExecution] = useState<Execution>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    const controller = new AbortController();
    followEvents(
      `/api/v1/executions/${id}/follow`,
      (_event, data) => setExecution(data as Execution),
      controller.signal,
    ).catch((e: Error) => setError(e));
    return () => controller.abort();
  }, [id]);
  return { execution, error };
}

/** The state each task shows in the topology: its latest task run's (loops run a task many times). */
function statesByTask(execution: Execution): Record<string, StateType> {
  const states: Record<string, StateType> = {};
  for (const run of execution.taskRunList) states[run.taskId] = run.state.current;
  return states;
}

export function ExecutionPage({ id }: { id: string }) {
  const { execution, error } = useExecution(id);
  const [tab, setTab] = useState<Tab>('gantt');
  const [taskFilter, setTaskFilter] = useState('');
  const [actionError, setActionError] = useState<Error>();
  const theme = useTheme();
  const flowKey = execution ? `${execution.namespace}/${execution.flowId}` : '';
  const flow = useLoad(flowKey, (signal) =>
    execution
      ? api<Flow>(
          `/api/v1/flows/${encodeURIComponent(execution.namespace)}/${encodeURIComponent(execution.flowId)}`,
          { signal },
        )
      : Promise.resolve(undefined),
  );
  const states = useMemo(() => (execution ? statesByTask(execution) : {}), [execution]);

  if (!execution) {
    return (
      <div className="page">{error ? <ErrorNote error={error} /> : <p className="muted">Loading…</p>}</div>
    );
  }

  const state = execution.state.current;
  const act = async (action: 'kill' | 'restart' | 'replay' | 'resume') => {
    setActionError(undefined);
    try {
      const path = `/api/v1/executions/${execution.id}/${action}`;
      if (action === 'replay') {
        const replay = await api<Execution>(path, { method: 'POST' });
        navigate(`/executions/${replay.id}`);
      } else if (action === 'kill') {
        await api(path, { method: 'DELETE' });
      } else {
        await api(path, { method: 'POST', json: {} });
      }
    } catch (e) {
      setActionError(e as Error);
    }
  };

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="execution-title">
            <span className="mono">{execution.id.slice(0, 8)}</span> <StateBadge state={state} />
          </h1>
          <div className="muted">
            <Link
              href={`/flows/${encodeURIComponent(execution.namespace)}/${encodeURIComponent(execution.flowId)}`}
            >
              {execution.namespace}.{execution.flowId}
            </Link>{' '}
            · revision {execution.flowRevision} · started {formatDate(execution.state.startDate)} ·{' '}
            <span data-testid="execution-duration">
              {formatDuration(elapsed(execution.state.startDate, execution.state.endDate))}
            </span>
          </div>
        </div>
        <div className="actions">
          {!isTerminal(state) && (
            <button className="danger" onClick={() => act('kill')}>
              Kill
            </button>
          )}
          {state === 'PAUSED' && <button onClick={() => act('resume')}>Resume</button>}
          {(state === 'FAILED' || state === 'KILLED') && (
            <button onClick={() => act('restart')}>Restart</button>
          )}
          {isTerminal(state) && <button onClick={() => act('replay')}>Replay</button>}
        </div>
      </div>
      <ErrorNote error={actionError} />
      {execution.error && <div className="error-note">{execution.error}</div>}
      <Tabs<Tab>
        tabs={[
          { id: 'gantt', label: 'Gantt' },
          { id: 'logs', label: 'Logs' },
          { id: 'topology', label: 'Topology' },
          { id: 'outputs', label: 'Outputs' },
        ]}
        current={tab}
        onChange={setTab}
      />
      {tab === 'gantt' && (
        <Gantt
          execution={execution}
          onSelect={(taskId) => {
            setTaskFilter(taskId);
            setTab('logs');
          }}
        />
      )}
      {tab === 'logs' && (
        <LogViewer execution={execution} taskFilter={taskFilter} onTaskFilter={setTaskFilter} />
      )}
      {tab === 'topology' && (
        <Suspense fallback={<div className="muted">Loading…</div>}>
          {flow.data ? (
            <Topology flow={flow.data} states={states} theme={theme} />
          ) : (
            <ErrorNote error={flow.error} />
          )}
        </Suspense>
      )}
      {tab === 'outputs' && <Outputs execution={execution} />}
    </div>
  );
}
