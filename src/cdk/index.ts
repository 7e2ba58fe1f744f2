// The connector kit: what a TypeScript source or destination imports.
export type { Destination, Source } from './connector.js';
export { ConfigError, ConnectorError, TransientError } from './errors.js';
export { type ConnectorIo, runDestination, runSource } from './run.js';
export { InputState } from './state.js';
export { MessageOutput } from './output.js';
export type { RowBatch, RowFormat } from './rows.js';
export { MessageWriter } from './writer.js';
