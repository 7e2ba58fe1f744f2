import { useState } from 'react';
import { api, download, query } from '../api';
import type { Execution } from '../types';
import { ErrorNote } from './ErrorNote';
import { Link } from './Link';

const STORAGE = 'sluice:///';

interface FilePreview {
  type: 'LIST' | 'TEXT';
  content: unknown[] | string;
  truncated: boolean;
}

/** Every internal-storage URI inside a value (outputs nest them in maps and lists). */
function filesIn(value: unknown): string[] {
  if (typeof value === 'string') return value.startsWith(STORAGE) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(filesIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(filesIn);
  return [];
}

function StoredFile({ executionId, uri }: { executionId: string; uri: string }) {
  const [preview, setPreview] = useState<FilePreview>();
  const [error, setError] = useState<Error>();
  const name = uri.slice(uri.lastIndexOf('/') + 1);
  const path = (what: string) => `/api/v1/executions/${executionId}/${what}${query({ path: uri })}`;
  return (
    <div className="stored-file">
      <div className="stored-file-head">
        <span className="mono">{name}</span>
        <button
          onClick={() =>
            preview
              ? setPreview(undefined)
              : api<FilePreview>(path('file/preview')).then(setPreview, (e: Error) => setError(e))
          }
        >
          {preview ? 'Hide' : 'Preview'}
        </button>
        <button onClick={() => download(path('file'), name).catch((e: Error) => setError(e))}>
          Download
        </button>
      </div>
      <ErrorNote error={error} />
      {preview && (
        <pre className="file-preview">
          {typeof preview.content === 'string'
            ? preview.content
            : preview.content.map((row) => JSON.stringify(row)).join('\n')}
          {preview.truncated && '\n…'}
        </pre>
      )}
    </div>
  );
}

/** The execution a Subflow task started, from its outputs. */
const subflowOf = (value: unknown) =>
  value && typeof value === 'object' && typeof (value as { executionId?: unknown }).executionId === 'string'
    ? (value as { executionId: string }).executionId
    : undefined;

function Section({ title, value, executionId }: { title: string; value: unknown; executionId: string }) {
  const child = subflowOf(value);
  return (
    <section>
      <h3>{title}</h3>
      {child && (
        <p>
          Subflow execution{' '}
          <Link className="mono" href={`/executions/${child}`}>
            {child}
          </Link>
        </p>
      )}
      <pre>{JSON.stringify(value, null, 2)}</pre>
      {filesIn(value).map((uri) => (
        <StoredFile key={uri} executionId={executionId} uri={uri} />
      ))}
    </section>
  );
}

/** The execution's inputs, its flow outputs and each task run's outputs; stored files can be
 * previewed and downloaded. */
export function Outputs({ execution }: { execution: Execution }) {
  const runs = execution.taskRunList.filter((run) => run.outputs && Object.keys(run.outputs).length > 0);
  const hasInputs = Object.keys(execution.inputs).length > 0;
  if (!hasInputs && !execution.outputs && runs.length === 0)
    return <p className="empty">No inputs nor outputs.</p>;
  return (
    <div className="outputs">
      {hasInputs && <Section title="Inputs" value={execution.inputs} executionId={execution.id} />}
      {execution.outputs && (
        <Section title="Flow outputs" value={execution.outputs} executionId={execution.id} />
      )}
      {runs.map((run) => (
        <Section
          key={run.id}
          title={run.value !== null ? `${run.taskId} (${run.value})` : run.taskId}
          value={run.outputs}
          executionId={execution.id}
        />
      ))}
    </div>
  );
}
