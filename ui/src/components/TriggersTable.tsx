import { useEffect, useState } from 'react';
import { api, query } from '../api';
import { formatDate } from '../format';
import { useLoad } from '../hooks';
import type { TriggerListing } from '../types';
import { ErrorNote } from './ErrorNote';
import { FlowName } from './FlowName';
import { Labels } from './Labels';
import { Link } from './Link';
import { BackfillDialog, triggerPath } from './BackfillDialog';

const keyOf = (t: TriggerListing) => `${t.namespace}/${t.flowId}/${t.triggerId}`;

/** `io.kestra.plugin.core.trigger.Schedule` → `Schedule`: the full name is in the title. */
const shortType = (type: string) => type.slice(type.lastIndexOf('.') + 1);

/** Triggers with their next and last run, an enabled switch, unlock and backfill (Schedule triggers,
 * the ones the scheduler keeps); a running backfill shows its progress. */
export function TriggersTable({ namespace, flowId }: { namespace?: string; flowId?: string }) {
  const triggers = useLoad(
    `${namespace}|${flowId}`,
    (signal) =>
      api<{ results: TriggerListing[] }>(`/api/v1/triggers/search${query({ namespace, flowId })}`, {
        signal,
      }),
    5_000,
  );
  const [backfilling, setBackfilling] = useState<TriggerListing>();
  const [error, setError] = useState<Error>();
  // the switch moves at once; the list's next load says whether the server agreed
  const [switched, setSwitched] = useState<Record<string, boolean>>({});
  useEffect(() => setSwitched({}), [triggers.data]);
  const act = async (t: TriggerListing, action: string) => {
    setError(undefined);
    try {
      await api(triggerPath(t, action), { method: 'POST' });
    } catch (e) {
      setError(e as Error);
    } finally {
      triggers.reload();
    }
  };
  const toggle = (t: TriggerListing, enabled: boolean) => {
    setSwitched((s) => ({ ...s, [keyOf(t)]: enabled }));
    void act(t, enabled ? 'enable' : 'disable');
  };
  // a namespace filter takes its children too: one flow's page wants that flow's triggers only
  const rows = triggers.data?.results.filter((t) => !flowId || t.namespace === namespace);
  return (
    <>
      <ErrorNote error={triggers.error ?? error} />
      <div className="table-scroll">
        <table className="list triggers-table">
          <thead>
            <tr>
              {!flowId && <th className="wide-only">Flow</th>}
              <th>Trigger</th>
              <th>Next run</th>
              <th className="wide-only">Last run</th>
              <th>Enabled</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows?.map((t) => (
              <tr
                key={`${t.namespace}/${t.flowId}/${t.triggerId}`}
                data-trigger={`${t.flowId}.${t.triggerId}`}
              >
                {!flowId && (
                  <td className="wide-only">
                    <FlowName namespace={t.namespace} flowId={t.flowId} />
                  </td>
                )}
                <td>
                  {!flowId && (
                    <div className="phone-only small">
                      <FlowName namespace={t.namespace} flowId={t.flowId} />
                    </div>
                  )}
                  <div>{t.triggerId}</div>
                  <div className="muted small" title={t.type}>
                    {shortType(t.type)}
                  </div>
                  {t.backfill && <BackfillProgress t={t} />}
                </td>
                <td data-testid="next-run" className="nowrap">
                  {t.scheduled ? (
                    formatDate(t.nextExecutionDate ?? undefined) || '—'
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="wide-only">
                  {t.executionId ? (
                    <Link href={`/executions/${t.executionId}`}>
                      {formatDate(t.lastExecutionDate ?? undefined) || 'running'}
                    </Link>
                  ) : (
                    formatDate(t.lastExecutionDate ?? undefined) || <span className="muted">never</span>
                  )}
                </td>
                <td>
                  {t.scheduled ? (
                    <input
                      type="checkbox"
                      role="switch"
                      className="switch"
                      aria-label={`${t.triggerId} enabled`}
                      checked={switched[keyOf(t)] ?? !t.disabled}
                      onChange={(e) => toggle(t, e.target.checked)}
                    />
                  ) : (
                    <span className="muted small" title="Only Schedule triggers can be switched here">
                      {t.disabled ? 'off' : 'on'}
                    </span>
                  )}
                </td>
                <td>
                  {t.scheduled && (
                    <div className="row-actions">
                      {t.executionId && (
                        <button
                          className="small-button"
                          title="Let it fire again even if the execution it started has not ended"
                          onClick={() => void act(t, 'unlock')}
                        >
                          Unlock
                        </button>
                      )}
                      <button className="small-button" onClick={() => setBackfilling(t)}>
                        Backfill
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows && rows.length === 0 && <p className="empty">No trigger{flowId ? ' on this flow' : ''}.</p>}
      {backfilling && (
        <BackfillDialog
          trigger={backfilling}
          onDone={triggers.reload}
          onClose={() => setBackfilling(undefined)}
        />
      )}
    </>
  );
}

function BackfillProgress({ t }: { t: TriggerListing }) {
  const b = t.backfill!;
  const shown = `${b.fired} of ${b.total}`;
  return (
    <div className="backfill-progress small" data-testid="backfill-progress">
      <progress max={b.total} value={b.fired} aria-label={`Backfill of ${t.triggerId}`} />
      <span className="muted">
        {b.done ? 'Backfill done' : 'Backfilling'}: {shown} · {formatDate(b.start)} →{' '}
        {b.end ? formatDate(b.end) : 'now'}
      </span>
      <Labels labels={b.labels} />
    </div>
  );
}

/** ` · next run <date>`: the soonest next date of a flow's enabled Schedule triggers, if any. */
export function NextRun({ namespace, flowId }: { namespace: string; flowId: string }) {
  const triggers = useLoad(`${namespace}|${flowId}`, (signal) =>
    api<{ results: TriggerListing[] }>(`/api/v1/triggers/search${query({ namespace, flowId })}`, { signal }),
  );
  const next = triggers.data?.results
    .filter((t) => t.namespace === namespace && t.scheduled && !t.disabled && t.nextExecutionDate)
    .map((t) => t.nextExecutionDate!)
    .sort()[0];
  return next ? <span data-testid="flow-next-run"> · next run {formatDate(next)}</span> : null;
}
