import { ApiError } from '../api';

/** An API failure in the page, with the server's details (one per line) when it gave some. */
export function ErrorNote({ error }: { error: Error | undefined }) {
  if (!error) return null;
  // the same problem reported twice (one line, one message) is shown once
  const details = (error instanceof ApiError ? error.details : []).filter(
    (d, i, all) => all.findIndex((o) => o.message === d.message && o.line === d.line) === i,
  );
  return (
    <div className="error-note" role="alert">
      <strong>{error.message}</strong>
      {details.length > 0 && (
        <ul>
          {details.map((d, i) => (
            <li key={i}>
              {d.line !== undefined && (
                <span className="mono">
                  line {d.line}
                  {d.column !== undefined && `:${d.column}`}{' '}
                </span>
              )}
              {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
