import {
  Background,
  Controls,
  Handle,
  Position,
  ReactFlow,
  type Edge,
  type Node,
  type NodeProps,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useMemo, useState } from 'react';
import { ErrorNote } from '../components/ErrorNote';
import { flowJsonSchema, type JsonSchema } from '../editor/schema';
import type { Theme } from '../theme';
import type { Flow, StateType } from '../types';
import { layoutFlow, type GraphNode } from './layout';

type CardData = { label: string; type?: string; state?: StateType; kind: GraphNode['kind'] };

function Card({ data }: NodeProps<Node<CardData>>) {
  return (
    <div
      className={`topo-card ${data.kind}${data.state ? ` state-${data.state}` : ''}`}
      data-task-id={data.label}
      data-state={data.state}
    >
      <Handle type="target" position={Position.Top} />
      <div className="topo-label">{data.label}</div>
      <div className="topo-type">
        {data.type}
        {data.state && <span className="topo-state"> · {data.state}</span>}
      </div>
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

function Dot({ data }: NodeProps<Node<CardData>>) {
  return (
    <div className="topo-dot" title={data.label}>
      <Handle type="target" position={Position.Top} />
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

const nodeTypes = { card: Card, dot: Dot };

/** The flow's topology, coloured by the task runs' states when `states` is given. */
export default function Topology({
  flow,
  states,
  theme,
}: {
  flow: Flow;
  states?: Record<string, StateType>;
  theme: Theme;
}) {
  const [schema, setSchema] = useState<JsonSchema>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    flowJsonSchema().then(setSchema, setError);
  }, []);

  const graph = useMemo(() => {
    if (!schema) return undefined;
    const { nodes, edges } = layoutFlow(flow, schema, states);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    return {
      nodes: nodes.map((n): Node<CardData> => {
        const parent = n.parent ? byId.get(n.parent) : undefined;
        return {
          id: n.id,
          type: n.kind === 'group' ? 'group' : n.kind === 'dot' ? 'dot' : 'card',
          position: { x: n.x - (parent?.x ?? 0), y: n.y - (parent?.y ?? 0) },
          parentId: n.parent,
          data: { label: n.label, type: n.type, state: n.state, kind: n.kind },
          style: { width: n.width, height: n.height },
          className: n.kind === 'group' ? 'topo-group' : undefined,
          draggable: false,
          connectable: false,
        };
      }),
      edges: edges.map((e): Edge => ({
        id: e.id,
        source: e.source,
        target: e.target,
        label: e.label,
        type: 'default',
        className: e.dashed ? 'topo-edge-handler' : undefined,
      })),
    };
  }, [flow, schema, states]);

  if (error) return <ErrorNote error={error} />;
  if (!graph) return <div className="muted">Loading…</div>;
  return (
    <div className="topology" data-testid="topology">
      <ReactFlow
        nodes={graph.nodes}
        edges={graph.edges}
        nodeTypes={nodeTypes}
        colorMode={theme}
        fitView
        minZoom={0.2}
        nodesConnectable={false}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
