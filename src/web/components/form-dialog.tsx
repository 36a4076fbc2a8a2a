import type { ReactNode, SyntheticEvent } from 'react';
import { useEffect, useId, useRef, useState } from 'react';
import { errorText } from '../api';
import './form-dialog.css';

/** What a page gives a dialog it opens: how to close it, and what to do once it has succeeded. */
export interface ActionDialogProps {
  onClose: () => void;
  onDone: () => void;
}

/**
 * A modal form in a native `<dialog>`, shown when mounted (the browser focuses its first
 * field): Escape or Cancel closes it. Submitting runs `submit`, with the buttons disabled
 * while it runs; when it resolves, `onDone` gets its result and the dialog closes. When it
 * fails, the dialog stays open with what was typed and the API's words in an alert.
 */
export function FormDialog<T>({
  title,
  submitLabel,
  submit,
  onDone,
  onClose,
  children,
  tone,
}: {
  title: string;
  submitLabel: string;
  submit: () => Promise<T>;
  onDone: (result: T) => void;
  onClose: () => void;
  children: ReactNode;
  tone?: 'danger';
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
    };
  }, []);
  const run = async (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await submit();
      onDone(result);
      setBusy(false);
      onClose();
    } catch (failure) {
      setBusy(false);
      setError(errorText(failure));
    }
  };
  return (
    <dialog ref={ref} aria-labelledby={titleId} className="form-dialog" onClose={onClose}>
      {/* The API checks what is typed and says what is wrong, in the same words as the CLI. */}
      <form onSubmit={(event) => void run(event)} noValidate>
        <h2 id={titleId}>{title}</h2>
        {children}
        {error !== undefined && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" className="quiet" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button
            type="submit"
            className={tone === 'danger' ? 'danger' : undefined}
            disabled={busy}
          >
            {submitLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
