import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../api';
import { navigate } from '../router';
import type { Execution, Flow, InputDef } from '../types';
import { ErrorNote } from './ErrorNote';

type Value = string | boolean | string[] | File | null;

/** The form's starting value of an input: its default, shaped for its field. */
function initial(input: InputDef): Value {
  const d = input.defaults;
  switch (input.type) {
    case 'BOOLEAN':
    case 'BOOL':
      return d === true || d === 'true';
    case 'MULTISELECT':
      return Array.isArray(d) ? d.map(String) : [];
    case 'FILE':
      return null;
    case 'JSON':
    case 'ARRAY':
      return d === undefined ? '' : typeof d === 'string' ? d : JSON.stringify(d, null, 2);
    default:
      return d === undefined || d === null ? '' : typeof d === 'object' ? JSON.stringify(d) : String(d);
  }
}

/** What the API gets for a field: typed where the form knows the type; the server checks the rest. */
function toRequest(input: InputDef, value: Value): unknown {
  if (value === null || value === '') return undefined;
  if (typeof value === 'string' && input.type === 'DATETIME') return new Date(value).toISOString();
  return value;
}

/** A multipart form (needed to upload FILE inputs): text fields, lists as JSON, a part per file. */
function toForm(values: Array<[string, unknown]>): FormData {
  const form = new FormData();
  for (const [id, value] of values) {
    if (value instanceof File) form.append(id, value, value.name);
    else form.append(id, Array.isArray(value) ? JSON.stringify(value) : String(value));
  }
  return form;
}

const TEXT_TYPES: Record<string, string> = {
  INT: 'number',
  FLOAT: 'number',
  DATE: 'date',
  TIME: 'time',
  DATETIME: 'datetime-local',
  EMAIL: 'email',
  URI: 'url',
  SECRET: 'password',
};

function Field({ input, value, onChange }: { input: InputDef; value: Value; onChange: (v: Value) => void }) {
  const name = `input-${input.id}`;
  const choices = input.values ?? [];
  switch (input.type) {
    case 'BOOLEAN':
    case 'BOOL':
      return (
        <input
          id={name}
          type="checkbox"
          checked={value as boolean}
          onChange={(e) => onChange(e.target.checked)}
        />
      );
    case 'ENUM':
    case 'SELECT':
      return (
        <select id={name} value={value as string} onChange={(e) => onChange(e.target.value)}>
          {!input.required && <option value="" />}
          {choices.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      );
    case 'MULTISELECT':
      return (
        <select
          id={name}
          multiple
          value={value as string[]}
          onChange={(e) => onChange([...e.target.selectedOptions].map((o) => o.value))}
        >
          {choices.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      );
    case 'JSON':
    case 'YAML':
    case 'ARRAY':
      return (
        <textarea
          id={name}
          rows={4}
          className="mono"
          placeholder={input.type === 'ARRAY' ? '["a", "b"]' : undefined}
          value={value as string}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case 'FILE':
      return (
        <input
          id={name}
          type="file"
          required={input.required}
          onChange={(e) => onChange(e.target.files?.[0] ?? null)}
        />
      );
    default:
      return (
        <input
          id={name}
          type={TEXT_TYPES[input.type] ?? 'text'}
          // a SECRET is typed for one execution: the browser must not offer to remember it
          autoComplete={input.type === 'SECRET' ? 'off' : undefined}
          step={input.type === 'FLOAT' ? 'any' : undefined}
          required={input.required && input.defaults === undefined}
          value={value as string}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
}

/** Starts an execution with a form made from the flow's inputs, then opens it. */
export function ExecuteDialog({ flow, onClose }: { flow: Flow; onClose: () => void }) {
  const [values, setValues] = useState<Record<string, Value>>(() =>
    Object.fromEntries(flow.inputs.map((input) => [input.id, initial(input)])),
  );
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const given = flow.inputs
      .map((input): [string, unknown] => [input.id, toRequest(input, values[input.id])])
      .filter(([, value]) => value !== undefined);
    const withFiles = flow.inputs.some((input) => input.type === 'FILE');
    try {
      const execution = await api<Execution>(
        `/api/v1/executions/${encodeURIComponent(flow.namespace)}/${encodeURIComponent(flow.id)}`,
        withFiles ? { form: toForm(given) } : { json: Object.fromEntries(given) },
      );
      navigate(`/executions/${execution.id}`);
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} className="dialog" onClose={onClose} aria-label={`Execute ${flow.id}`}>
      <form onSubmit={submit}>
        <h2>Execute {flow.id}</h2>
        {flow.inputs.length === 0 && <p className="muted">This flow takes no inputs.</p>}
        {flow.inputs.map((input) => (
          <div className="field" key={input.id}>
            <label htmlFor={`input-${input.id}`}>
              {typeof input.displayName === 'string' ? input.displayName : input.id}
              {input.required && input.defaults === undefined && <span className="required"> *</span>}
              <span className="muted small"> {input.type}</span>
            </label>
            <Field
              input={input}
              value={values[input.id]}
              onChange={(v) => setValues((old) => ({ ...old, [input.id]: v }))}
            />
            {input.description && <div className="muted small">{input.description}</div>}
          </div>
        ))}
        <ErrorNote error={error} />
        <div className="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button className="primary" disabled={busy}>
            {busy ? 'Starting…' : 'Execute'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
