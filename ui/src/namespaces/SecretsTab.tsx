import { useState } from 'react';
import { api } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNote } from '../components/ErrorNote';
import { useLoad } from '../hooks';

const secretsPath = (namespace: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;

/** A namespace's secrets: their keys, a form to add or replace one, delete. Values are write-only:
 * the server never sends them back, and the field is a password field. */
export function SecretsTab({ namespace }: { namespace: string }) {
  const secrets = useLoad(namespace, (signal) =>
    api<{ results: Array<{ key: string }> }>(secretsPath(namespace), { signal }),
  );
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState<Error>();
  const [deleting, setDeleting] = useState<string>();
  const save = async () => {
    setError(undefined);
    try {
      await api(secretsPath(namespace), { method: 'PUT', json: { key, value } });
      setKey('');
      setValue('');
      secrets.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <>
      <form
        className="panel inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="field">
          <label htmlFor="secret-key">Key</label>
          <input id="secret-key" value={key} onChange={(e) => setKey(e.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="secret-value">Value</label>
          <input
            id="secret-value"
            type="password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            autoComplete="new-password"
          />
        </div>
        <button type="submit" className="primary" disabled={!key || !value}>
          Save secret
        </button>
        <p className="muted small">Values are write-only: once saved, a secret is never shown again.</p>
      </form>
      <ErrorNote error={secrets.error ?? error} />
      <ul className="brief-list" data-testid="secrets">
        {secrets.data?.results.map((s) => (
          <li key={s.key} data-secret={s.key}>
            <span className="mono">{s.key}</span>
            <span className="muted small">••••••</span>
            <button className="small-button push-right" onClick={() => setDeleting(s.key)}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      {secrets.data?.results.length === 0 && <p className="empty">No secret in {namespace}.</p>}
      {deleting && (
        <ConfirmDialog
          title={`Delete the secret ${deleting}?`}
          confirmLabel="Delete"
          danger
          onConfirm={async () => {
            await api(`${secretsPath(namespace)}/${encodeURIComponent(deleting)}`, { method: 'DELETE' });
            secrets.reload();
          }}
          onClose={() => setDeleting(undefined)}
        >
          <p>Flows that read it with secret() fail until it is set again.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
