import { useEffect, useState } from 'react';
import { api } from '../api';
import { CONNECTIONS_NAMESPACE } from '../../../src/connections/connection.js';
import { Link } from './Link';

export { CONNECTIONS_NAMESPACE };

/** Connection names by id, fetched once per page load: a list shows many runs of few connections. */
const names = new Map<string, Promise<string>>();

function connectionName(id: string): Promise<string> {
  let name = names.get(id);
  if (!name) {
    name = api<{ name: string }>(`/api/v1/connections/${encodeURIComponent(id)}`)
      .then((c) => c.name)
      .catch(() => `deleted connection ${id.slice(0, 8)}`);
    names.set(id, name);
  }
  return name;
}

export function useConnectionName(namespace: string, flowId: string): string | undefined {
  const [name, setName] = useState<string>();
  useEffect(() => {
    if (namespace !== CONNECTIONS_NAMESPACE) return;
    let live = true;
    void connectionName(flowId).then((n) => live && setName(n));
    return () => {
      live = false;
    };
  }, [namespace, flowId]);
  return name;
}

/** A flow as people know it: `namespace.flowId` linking to the flow, or, for the flow Sluice runs for
 * a connection, the connection's name linking to the connection. */
export function FlowName({ namespace, flowId }: { namespace: string; flowId: string }) {
  const connection = useConnectionName(namespace, flowId);
  if (namespace === CONNECTIONS_NAMESPACE) {
    return (
      <Link href={`/connections/${encodeURIComponent(flowId)}`} data-connection={flowId}>
        <span className="muted">connection </span>
        {connection ?? '…'}
      </Link>
    );
  }
  return (
    <Link href={`/flows/${encodeURIComponent(namespace)}/${encodeURIComponent(flowId)}`}>
      <span className="muted">{namespace}.</span>
      {flowId}
    </Link>
  );
}
