import { useState } from 'react';
import { api } from '../api';
import { isTerminal } from '../../../src/engine/state.js';
import type { Execution } from '../types';
import { ConfirmDialog } from './ConfirmDialog';

type Action = 'restart' | 'kill' | 'delete' | 'labels';

/** Which executions of a selection each action applies to (the server refuses the whole request
 * when one does not fit, so only those are sent). */
const FITS: Record<Action, (e: Execution) => boolean> = {
  restart: (e) => e.state.current === 'FAILED' || e.state.current === 'KILLED',
  kill: (e) => !isTerminal(e.state.current),
  delete: (e) => isTerminal(e.state.current),
  labels: (e) => isTerminal(e.state.current),
};

const VERB: Record<Action, { label: string; done: string; unfit: string }> = {
  restart: { label: 'Restart', done: 'restarted', unfit: 'neither failed nor killed' },
  kill: { label: 'Kill', done: 'asked to stop', unfit: 'already ended' },
  delete: { label: 'Delete', done: 'deleted', unfit: 'still running' },
  labels: { label: 'Set labels', done: 'labelled', unfit: 'still running' },
};

const plural = (n: number) => `${n} execution${n === 1 ? '' : 's'}`;

/** `key:value` pairs, one per line or separated by commas; undefined when one is malformed. */
export function parseLabels(text: string): Array<{ key: string; value: string }> | undefined {
  const parts = text
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter(Boolean);
  const labels = parts.map((p) => {
    const colon = p.indexOf(':');
    return colon > 0 ? { key: p.slice(0, colon).trim(), value: p.slice(colon + 1).trim() } : undefined;
  });
  return labels.length > 0 && labels.every(Boolean)
    ? (labels as Array<{ key: string; value: string }>)
    : undefined;
}

/** The bar over a selection: each action asks first, says what it will and will not touch, then
 * what it did. */
export function BulkActions({
  executions,
  onDone,
}: {
  executions: Execution[];
  /** with what was done, in words */
  onDone: (done: string) => void;
}) {
  const [asking, setAsking] = useState<Action>();
  const [labelText, setLabelText] = useState('');

  const fit = (action: Action) => executions.filter(FITS[action]);
  const run = async (action: Action) => {
    const ids = fit(action).map((e) => e.id);
    let answer: { count: number };
    if (action === 'restart') answer = await api('/api/v1/executions/restart/by-ids', { json: ids });
    else if (action === 'kill')
      answer = await api('/api/v1/executions/kill/by-ids', { method: 'DELETE', json: ids });
    else if (action === 'delete')
      answer = await api('/api/v1/executions/by-ids', { method: 'DELETE', json: ids });
    else
      answer = await api('/api/v1/executions/labels/by-ids', {
        json: { executionsId: ids, executionLabels: parseLabels(labelText) },
      });
    onDone(`${plural(answer.count)} ${VERB[action].done}.`);
  };

  const dialog = (action: Action) => {
    const fitting = fit(action);
    const left = executions.length - fitting.length;
    const labels = action === 'labels' ? parseLabels(labelText) : undefined;
    return (
      <ConfirmDialog
        title={`${VERB[action].label}: ${plural(fitting.length)}`}
        confirmLabel={VERB[action].label}
        danger={action === 'delete' || action === 'kill'}
        disabled={action === 'labels' && !labels}
        onConfirm={() => run(action)}
        onClose={() => setAsking(undefined)}
      >
        <p>
          {action === 'restart' && `Restart ${plural(fitting.length)} from their failed tasks?`}
          {action === 'kill' && `Kill ${plural(fitting.length)}? Their running tasks are stopped.`}
          {action === 'delete' &&
            `Delete ${plural(fitting.length)} with their logs and files? This cannot be undone.`}
          {action === 'labels' &&
            `Add these labels to ${plural(fitting.length)}; a label with the same key is replaced.`}
        </p>
        {left > 0 && (
          <p className="muted" data-testid="left-out">
            {plural(left)} of the selection {left === 1 ? 'is' : 'are'} {VERB[action].unfit} and stay
            {left === 1 ? 's' : ''} as {left === 1 ? 'it is' : 'they are'}.
          </p>
        )}
        {action === 'labels' && (
          <div className="field">
            <label htmlFor="bulk-labels">Labels (key:value, one per line)</label>
            <textarea
              id="bulk-labels"
              rows={3}
              className="mono"
              value={labelText}
              onChange={(e) => setLabelText(e.target.value)}
            />
            {labelText.trim() !== '' && !labels && (
              <div className="error-text">Write each label as key:value, for example team:data.</div>
            )}
          </div>
        )}
      </ConfirmDialog>
    );
  };

  return (
    <div className="bulk-bar" role="toolbar" aria-label="Selected executions">
      <span>{plural(executions.length)} selected</span>
      {(Object.keys(VERB) as Action[]).map((action) => (
        <button
          key={action}
          className={action === 'delete' || action === 'kill' ? 'danger' : undefined}
          disabled={fit(action).length === 0}
          onClick={() => setAsking(action)}
        >
          {VERB[action].label}
        </button>
      ))}
      {asking && dialog(asking)}
    </div>
  );
}
