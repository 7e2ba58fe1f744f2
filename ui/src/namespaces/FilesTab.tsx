import { Suspense, useState } from 'react';
import { api, apiText, query } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNote } from '../components/ErrorNote';
import { formatBytes } from '../format';
import { useLoad } from '../hooks';
import { FileEditor } from '../lazy';
import { useLeaveGuard } from '../router';

interface Entry {
  fileName: string;
  type: 'File' | 'Directory';
  size: number;
}

const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);
const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';

/** A namespace's files: a directory at a time, a file open in the editor (saving uploads it), new
 * files and directories, uploads from the computer, delete. */
export function FilesTab({ namespace }: { namespace: string }) {
  const filesPath = (suffix: string, path: string) =>
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/files${suffix}${query({ path })}`;
  const [dir, setDir] = useState('/');
  const entries = useLoad(`${namespace}|${dir}`, (signal) =>
    api<Entry[]>(filesPath('/directory', dir), { signal }),
  );
  const [open, setOpen] = useState<{ path: string; saved: string }>();
  const [text, setText] = useState('');
  const [newName, setNewName] = useState('');
  const [error, setError] = useState<Error>();
  const [deleting, setDeleting] = useState<Entry>();
  const [notice, setNotice] = useState<string>();
  const dirty = open !== undefined && text !== open.saved;
  useLeaveGuard(dirty ? `Leave this page? Your changes to ${open.path} are not saved.` : undefined);

  const attempt = async (work: () => Promise<void>) => {
    setError(undefined);
    setNotice(undefined);
    try {
      await work();
    } catch (e) {
      setError(e as Error);
    }
  };
  const upload = (path: string, content: Blob) => {
    const form = new FormData();
    form.append('fileContent', content, path.slice(path.lastIndexOf('/') + 1));
    return api(filesPath('', path), { form });
  };
  const openFile = (path: string) =>
    attempt(async () => {
      if (dirty && !confirm(`Discard your changes to ${open.path}?`)) return;
      const content = await apiText(filesPath('', path));
      setText(content);
      setOpen({ path, saved: content });
    });
  const save = () =>
    attempt(async () => {
      if (!open) return;
      const content = text;
      await upload(open.path, new Blob([content], { type: 'text/plain' }));
      setOpen({ path: open.path, saved: content });
      setNotice(`${open.path} saved.`);
      entries.reload();
    });
  const newFile = () => {
    if (dirty && !confirm(`Discard your changes to ${open.path}?`)) return;
    setText('');
    // unsaved until the first save: `saved` differs from any text typed
    setOpen({ path: join(dir, newName.trim()), saved: '' });
    setNewName('');
  };
  const newDirectory = () =>
    attempt(async () => {
      await api(filesPath('/directory', join(dir, newName.trim())), { method: 'POST' });
      setNewName('');
      entries.reload();
    });

  const crumbs = dir === '/' ? [] : dir.slice(1).split('/');
  const sorted = [...(entries.data ?? [])].sort((a, b) =>
    a.type === b.type ? a.fileName.localeCompare(b.fileName) : a.type === 'Directory' ? -1 : 1,
  );
  return (
    <div className="files-tab">
      <div className="files-browser panel">
        <nav className="crumbs" aria-label="Directory">
          <button className="link-button" onClick={() => setDir('/')}>
            {namespace}
          </button>
          {crumbs.map((c, i) => (
            <span key={i}>
              {' / '}
              <button className="link-button" onClick={() => setDir(`/${crumbs.slice(0, i + 1).join('/')}`)}>
                {c}
              </button>
            </span>
          ))}
        </nav>
        <ul className="file-list" data-testid="files">
          {dir !== '/' && (
            <li>
              <button className="link-button" onClick={() => setDir(parentOf(dir))}>
                ..
              </button>
            </li>
          )}
          {sorted.map((e) => (
            <li key={e.fileName} data-file={e.fileName}>
              <button
                className={open?.path === join(dir, e.fileName) ? 'link-button active' : 'link-button'}
                onClick={() =>
                  e.type === 'Directory'
                    ? setDir(join(dir, e.fileName))
                    : void openFile(join(dir, e.fileName))
                }
              >
                {e.fileName}
                {e.type === 'Directory' ? '/' : ''}
              </button>
              <span className="muted small">{e.type === 'File' ? formatBytes(e.size) : ''}</span>
              <button
                className="small-button push-right"
                aria-label={`Delete ${e.fileName}`}
                onClick={() => setDeleting(e)}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
        {entries.data?.length === 0 && <p className="muted small">Empty directory.</p>}
        <div className="field">
          <label htmlFor="new-file-name">New file or directory in {dir}</label>
          <input id="new-file-name" value={newName} onChange={(e) => setNewName(e.target.value)} />
        </div>
        <div className="actions">
          <button onClick={newFile} disabled={!newName.trim()}>
            New file
          </button>
          <button onClick={() => void newDirectory()} disabled={!newName.trim()}>
            New directory
          </button>
          <label className="button">
            Upload…
            <input
              type="file"
              className="visually-hidden"
              aria-label="Upload a file"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file)
                  void attempt(async () => {
                    await upload(join(dir, file.name), file);
                    setNotice(`${join(dir, file.name)} uploaded.`);
                    entries.reload();
                  });
              }}
            />
          </label>
        </div>
      </div>
      <div className="files-editor">
        <ErrorNote error={entries.error ?? error} />
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {open ? (
          <>
            <div className="page-header">
              <h2 className="mono">
                {open.path}
                {dirty && ' •'}
              </h2>
              <button
                className={dirty ? 'primary' : ''}
                onClick={() => void save()}
                disabled={!dirty && open.saved !== ''}
              >
                Save
              </button>
            </div>
            <Suspense fallback={<div className="muted">Loading…</div>}>
              <FileEditor
                key={open.path}
                path={open.path}
                value={open.saved}
                onChange={setText}
                onSave={() => void save()}
              />
            </Suspense>
          </>
        ) : (
          <p className="muted">Open a file to read or edit it.</p>
        )}
      </div>
      {deleting && (
        <ConfirmDialog
          title={`Delete ${join(dir, deleting.fileName)}?`}
          confirmLabel="Delete"
          danger
          onConfirm={async () => {
            const path = join(dir, deleting.fileName);
            await api(filesPath('', path), { method: 'DELETE' });
            if (open && (open.path === path || open.path.startsWith(`${path}/`))) setOpen(undefined);
            entries.reload();
          }}
          onClose={() => setDeleting(undefined)}
        >
          {deleting.type === 'Directory' && <p>Everything in it is deleted too.</p>}
          <p>Flows that read it with read() or namespaceFiles fail until it exists again.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
