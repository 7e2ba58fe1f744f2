import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ErrorNote } from './ErrorNote';

/** Asks before an action that changes or loses something; stays open with the error when it fails. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger = false,
  disabled = false,
  onConfirm,
  onClose,
}: {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  disabled?: boolean;
  /** resolves once done: the dialog closes; throws: it shows why */
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  useEffect(() => dialog.current?.showModal(), []);

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      dialog.current?.close();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} className="dialog" onClose={onClose} aria-label={title}>
      <h2>{title}</h2>
      {children}
      <ErrorNote error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={() => dialog.current?.close()}>
          Cancel
        </button>
        <button
          type="button"
          className={danger ? 'danger' : 'primary'}
          disabled={busy || disabled}
          onClick={confirm}
        >
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
