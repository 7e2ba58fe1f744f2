import { useState } from 'react';
import { api } from '../api';
import { useLoad } from '../hooks';
import type { Flow, TriggerListing } from '../types';
import { parseLabels } from './BulkActions';
import { ConfirmDialog } from './ConfirmDialog';

export const triggerPath = (t: TriggerListing, action: string) =>
  `/api/v1/triggers/${encodeURIComponent(t.namespace)}/${encodeURIComponent(t.flowId)}/${encodeURIComponent(t.triggerId)}/${action}`;

/** `datetime-local` gives a local time without a zone: the date it means, in ISO. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** Asks for a backfill of a Schedule trigger: from a start to an end (or now), with inputs of the
 * flow (empty ones keep the trigger's or the default) and labels for the executions it starts. */
export function BackfillDialog({
  trigger,
  onDone,
  onClose,
}: {
  trigger: TriggerListing;
  onDone: () => void;
  onClose: () => void;
}) {
  const flow = useLoad(`${trigger.namespace}/${trigger.flowId}`, (signal) =>
    api<Flow>(
      `/api/v1/flows/${encodeURIComponent(trigger.namespace)}/${encodeURIComponent(trigger.flowId)}`,
      {
        signal,
      },
    ),
  );
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [inputs, setInputs] = useState<Record<string, string>>({});
  const [labelText, setLabelText] = useState('');
  const labels = labelText.trim() ? parseLabels(labelText) : [];
  const given = Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== ''));

  const submit = async () => {
    await api(triggerPath(trigger, 'backfill'), {
      json: {
        start: isoOf(start),
        ...(end && { end: isoOf(end) }),
        ...(Object.keys(given).length > 0 && { inputs: given }),
        ...(labels &&
          labels.length > 0 && { labels: Object.fromEntries(labels.map((l) => [l.key, l.value])) }),
      },
    });
    onDone();
  };

  return (
    <ConfirmDialog
      title={`Backfill ${trigger.triggerId}`}
      confirmLabel="Start backfill"
      disabled={!start || labels === undefined}
      onConfirm={submit}
      onClose={onClose}
    >
      <p className="muted">
        Every occurrence of the schedule from the start to the end fires now, each with its own{' '}
        <code>trigger.date</code>; then the schedule goes on as before.
      </p>
      <div className="field-row">
        <div className="field">
          <label htmlFor="backfill-start">
            Start <span className="required">*</span>
          </label>
          <input
            id="backfill-start"
            type="datetime-local"
            value={start}
            onChange={(e) => setStart(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="backfill-end">End (empty: now)</label>
          <input
            id="backfill-end"
            type="datetime-local"
            value={end}
            onChange={(e) => setEnd(e.target.value)}
          />
        </div>
      </div>
      {flow.data?.inputs?.map((input) => (
        <div className="field" key={input.id}>
          <label htmlFor={`backfill-input-${input.id}`}>Input {input.id}</label>
          <input
            id={`backfill-input-${input.id}`}
            placeholder={input.defaults === undefined ? '' : `default: ${String(input.defaults)}`}
            value={inputs[input.id] ?? ''}
            onChange={(e) => setInputs({ ...inputs, [input.id]: e.target.value })}
          />
        </div>
      ))}
      <div className="field">
        <label htmlFor="backfill-labels">Labels (key:value, one per line)</label>
        <textarea
          id="backfill-labels"
          rows={2}
          className="mono"
          value={labelText}
          onChange={(e) => setLabelText(e.target.value)}
        />
        {labels === undefined && (
          <div className="error-text">Write each label as key:value, for example reason:replay.</div>
        )}
      </div>
    </ConfirmDialog>
  );
}
