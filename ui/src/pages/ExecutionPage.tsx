import { Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { api, followEvents } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNote } from '../components/ErrorNote';
import { FlowName } from '../components/FlowName';
import { Gantt, useTicker } from '../components/Gantt';
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

/** The execution document, live: the follow stream sends it at once and on every change until it
 * ends. `revived` is for after a restart: the stream of an ended execution has closed, so it waits
 * for the executor to take the restart (a new state in the history) and follows again. */
function useExecution(id: string): {
  execution: Execution | undefined;
  error: Error | undefined;
  revived: (before: Execution) => Promise<void>;
} {
  const [execution, setExecution] = useState<Execution>();
  const [error, setError] = useState<Error>();
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    followEvents(
      `/api/v1/executions/${id}/follow`,
      (_event, data) => setExecution(data as Execution),
      controller.signal,
    ).catch((e: Error) => setError(e));
    return () => controller.abort();
  }, [id, generation]);
  const revived = useCallback(
    async (before: Execution) => {
      for (let i = 0; i < 200; i++) {
        const now = await api<Execution>(`/api/v1/executions/${id}`);
        if (now.state.histories.length !== before.state.histories.length) {
          setExecution(now);
          setGeneration((g) => g + 1);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    },
    [id],
  );
  return { execution, error, revived };
}

type Action = 'kill' | 'restart' | 'replay' | 'resume';

const ASK: Record<Exclude<Action, 'resume'>, { title: string; text: string; danger?: boolean }> = {
  kill: {
    title: 'Kill this execution?',
    text: 'Its running tasks are stopped; it ends KILLED.',
    danger: true,
  },
  restart: {
    title: 'Restart this execution?',
    text: 'Its failed tasks run again, in this execution, as a new attempt.',
  },
  replay: {
    title: 'Replay this execution?',
    text: 'A new execution of the same flow revision starts with the same inputs.',
  },
};

/** The state each task shows in the topology: its latest task run's (loops run a task many times). */
function statesByTask(execution: Execution): Record<string, StateType> {
  const states: Record<string, StateType> = {};
  for (const run of execution.taskRunList) states[run.taskId] = run.state.current;
  return states;
}

export function ExecutionPage({ id }: { id: string }) {
  const { execution, error, revived } = useExecution(id);
  const [asking, setAsking] = useState<Exclude<Action, 'resume'>>();
  /** the action sent and the history length it was sent at: its buttons wait for the next state */
  const [pending, setPending] = useState<{ action: Action; at: number }>();
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
  // the header's duration grows as the Gantt chart's does, paused or not: no update comes meanwhile
  useTicker(execution !== undefined && !isTerminal(execution.state.current), 500);

  if (!execution) {
    return (
      <div className="page">{error ? <ErrorNote error={error} /> : <p className="muted">Loading…</p>}</div>
    );
  }

  const state = execution.state.current;
  const busy = pending !== undefined && pending.at === execution.state.histories.length;
  /** throws when refused, so that the confirmation shows why */
  const send = async (action: Action) => {
    const path = `/api/v1/executions/${execution.id}/${action}`;
    if (action === 'replay') {
      const replay = await api<Execution>(path, { method: 'POST' });
      navigate(`/executions/${replay.id}`);
      return;
    }
    if (action === 'kill') await api(path, { method: 'DELETE' });
    else await api(path, { method: 'POST', json: {} });
    setPending({ action, at: execution.state.histories.length });
    if (action === 'restart') void revived(execution);
  };
  const resume = async () => {
    setActionError(undefined);
    try {
      await send('resume');
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
            <FlowName namespace={execution.namespace} flowId={execution.flowId} /> · revision{' '}
            {execution.flowRevision} · started {formatDate(execution.state.startDate)} ·{' '}
            <span data-testid="execution-duration">
              {formatDuration(elapsed(execution.state.startDate, execution.state.endDate))}
            </span>
          </div>
        </div>
        <div className="actions">
          {!isTerminal(state) && (
            <button className="danger" disabled={busy} onClick={() => setAsking('kill')}>
              {busy && pending?.action === 'kill' ? 'Killing…' : 'Kill'}
            </button>
          )}
          {state === 'PAUSED' && (
            <button disabled={busy} onClick={resume}>
              Resume
            </button>
          )}
          {(state === 'FAILED' || state === 'KILLED') && (
            <button disabled={busy} onClick={() => setAsking('restart')}>
              {busy && pending?.action === 'restart' ? 'Restarting…' : 'Restart'}
            </button>
          )}
          {isTerminal(state) && (
            <button disabled={busy} onClick={() => setAsking('replay')}>
              Replay
            </button>
          )}
        </div>
      </div>
      {asking && (
        <ConfirmDialog
          title={ASK[asking].title}
          confirmLabel={asking.charAt(0).toUpperCase() + asking.slice(1)}
          danger={ASK[asking].danger}
          onConfirm={() => send(asking)}
          onClose={() => setAsking(undefined)}
        >
          <p>{ASK[asking].text}</p>
        </ConfirmDialog>
      )}
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
