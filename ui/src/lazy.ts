// The heavy parts load on first use, in chunks of their own: CodeMirror for the editor, React Flow and
// dagre for the topology, react-jsonschema-form and ajv for connector configurations.
import { lazy } from 'react';

export const FlowEditor = lazy(() => import('./editor/FlowEditor'));
export const Topology = lazy(() => import('./graph/Topology'));
export const ConnectorForm = lazy(() => import('./connectors/ConnectorForm'));
export const FileEditor = lazy(() => import('./editor/FileEditor'));
