import { useState } from 'react';
import { api } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNote } from '../components/ErrorNote';
import { formatDate } from '../format';
import { useLoad } from '../hooks';

interface KvEntry {
  key: string;
  description?: string | null;
  updateDate: string;
  expirationDate?: string | null;
}

const kvPath = (namespace: string, key?: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/kv${key === undefined ? '' : `/${encodeURIComponent(key)}`}`;

/** A namespace's KV pairs: keys with their dates, a value shown on demand, a form to set one (JSON
 * keeps its type, other text is a string, as the API reads it), delete. */
export function KvTab({ namespace }: { namespace: string }) {
  const entries = useLoad(namespace, (signal) => api<KvEntry[]>(kvPath(namespace), { signal }));
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [ttl, setTtl] = useState('');
  const [error, setError] = useState<Error>();
  const [shown, setShown] = useState<{ key: string; type: string; value: unknown }>();
  const [deleting, setDeleting] = useState<string>();
  const save = async () => {
    setError(undefined);
    try {
      await api(kvPath(namespace, key), { method: 'PUT', text: value, headers: ttl ? { ttl } : {} });
      setKey('');
      setValue('');
      setTtl('');
      entries.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  const show = async (k: string) => {
    setError(undefined);
    try {
      setShown({ key: k, ...(await api<{ type: string; value: unknown }>(kvPath(namespace, k))) });
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
          <label htmlFor="kv-key">Key</label>
          <input id="kv-key" value={key} onChange={(e) => setKey(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="kv-value">Value (JSON keeps its type; other text is a string)</label>
          <textarea
            id="kv-value"
            rows={2}
            className="mono"
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="kv-ttl">Expires after (ISO duration, e.g. P7D; empty: never)</label>
          <input id="kv-ttl" value={ttl} onChange={(e) => setTtl(e.target.value)} />
        </div>
        <button type="submit" className="primary" disabled={!key}>
          Save value
        </button>
      </form>
      <ErrorNote error={entries.error ?? error} />
      <div className="table-scroll">
        <table className="list" data-testid="kv">
          <thead>
            <tr>
              <th>Key</th>
              <th className="wide-only">Updated</th>
              <th className="wide-only">Expires</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.data?.map((e) => (
              <tr key={e.key} data-key={e.key}>
                <td>
                  <span className="mono">{e.key}</span>
                  {e.description && <div className="muted small">{e.description}</div>}
                  {shown?.key === e.key && (
                    <pre className="kv-value" data-testid="kv-value">
                      <span className="muted">{shown.type} </span>
                      {typeof shown.value === 'string' ? shown.value : JSON.stringify(shown.value, null, 2)}
                    </pre>
                  )}
                </td>
                <td className="wide-only">{formatDate(e.updateDate)}</td>
                <td className="wide-only">{e.expirationDate ? formatDate(e.expirationDate) : 'never'}</td>
                <td>
                  <div className="row-actions">
                    <button className="small-button" onClick={() => void show(e.key)}>
                      Show
                    </button>
                    <button className="small-button" onClick={() => setDeleting(e.key)}>
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {entries.data?.length === 0 && <p className="empty">No KV pair in {namespace}.</p>}
      {deleting && (
        <ConfirmDialog
          title={`Delete the key ${deleting}?`}
          confirmLabel="Delete"
          danger
          onConfirm={async () => {
            await api(kvPath(namespace, deleting), { method: 'DELETE' });
            entries.reload();
          }}
          onClose={() => setDeleting(undefined)}
        />
      )}
    </>
  );
}
