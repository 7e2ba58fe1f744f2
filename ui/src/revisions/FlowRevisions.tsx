import { useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNote } from '../components/ErrorNote';
import { useLoad } from '../hooks';
import { lineDiff, type DiffRow } from './line-diff';

interface Revision {
  revision: number;
  source: string;
  updated: string;
}

function RevisionPicker({
  label,
  revisions,
  value,
  onChange,
}: {
  label: string;
  revisions: Revision[];
  value: number;
  onChange: (revision: number) => void;
}) {
  return (
    <label>
      {label}{' '}
      <select value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {revisions.map((r) => (
          <option key={r.revision} value={r.revision}>
            Revision {r.revision} · {new Date(r.updated).toLocaleString()}
          </option>
        ))}
      </select>
    </label>
  );
}

function DiffTable({ rows, left, right }: { rows: DiffRow[]; left: number; right: number }) {
  return (
    <table className="line-diff mono" aria-label={`Changes from revision ${left} to revision ${right}`}>
      <tbody>
        {rows.map((row, k) => (
          <tr key={k} className={`diff-${row.kind}`} data-kind={row.kind}>
            <td className="diff-number">{row.left?.line}</td>
            <td className="diff-text diff-left">{row.left?.text}</td>
            <td className="diff-number">{row.right?.line}</td>
            <td className="diff-text diff-right">{row.right?.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A flow's revisions: two chosen side by side with their changed lines marked, and any one
 * restorable. Restoring saves that source as a new revision (as Kestra does): history only grows. */
export function FlowRevisions({
  path,
  current,
  onRestored,
}: {
  /** the flow's API path, /api/v1/flows/{namespace}/{id} */
  path: string;
  /** the newest revision, to reload the list after a save elsewhere */
  current: number;
  onRestored: () => void;
}) {
  const revisions = useLoad(`${path}@${current}`, (signal) =>
    api<Revision[]>(`${path}/revisions`, { signal }),
  );
  const [left, setLeft] = useState(0);
  const [right, setRight] = useState(0);
  const [restoring, setRestoring] = useState<Revision>();

  const list = revisions.data;
  // by default, the newest revision against the one before it
  useEffect(() => {
    if (!list || list.length === 0) return;
    const newest = list[list.length - 1].revision;
    setRight(newest);
    setLeft(list.length > 1 ? list[list.length - 2].revision : newest);
  }, [list]);

  const before = list?.find((r) => r.revision === left);
  const after = list?.find((r) => r.revision === right);
  const rows = useMemo(() => (before && after ? lineDiff(before.source, after.source) : []), [before, after]);

  const restore = async (revision: Revision) => {
    await api(path, { method: 'PUT', yaml: revision.source });
    onRestored();
  };

  if (!list) return <ErrorNote error={revisions.error} />;
  const newest = list[list.length - 1]?.revision;
  return (
    <section className="flow-revisions">
      <ErrorNote error={revisions.error} />
      <div className="revision-pickers">
        {[
          { label: 'From', value: left, set: setLeft },
          { label: 'To', value: right, set: setRight },
        ].map((side) => (
          <div key={side.label} className="revision-picker">
            <RevisionPicker label={side.label} revisions={list} value={side.value} onChange={side.set} />
            {side.value !== newest && (
              <button
                onClick={() => setRestoring(list.find((r) => r.revision === side.value))}
                aria-label={`Restore revision ${side.value}`}
              >
                Restore this revision
              </button>
            )}
          </div>
        ))}
      </div>
      {left === right ? (
        <p className="muted">Choose two different revisions to see what changed.</p>
      ) : (
        <DiffTable rows={rows} left={left} right={right} />
      )}
      {restoring && (
        <ConfirmDialog
          title={`Restore revision ${restoring.revision}?`}
          confirmLabel="Restore"
          onConfirm={() => restore(restoring)}
          onClose={() => setRestoring(undefined)}
        >
          <p>
            Its source is saved as a new revision ({newest + 1}); revision {newest} and the others stay in the
            history.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
