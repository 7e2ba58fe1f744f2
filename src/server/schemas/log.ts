// A log line as stored: search answers carry the line's id (to resume after it), the per-execution
// list does not.

import { LOG_LEVELS } from '../../flow/schemas.js';

export const level = { type: 'string', enum: [...LOG_LEVELS] } as const;

export const LogLine = {
  $id: 'LogLine',
  type: 'object',
  properties: {
    id: { type: 'integer', description: 'position in the log store (search results only)' },
    executionId: { type: 'string' },
    namespace: { type: 'string' },
    flowId: { type: 'string' },
    taskId: { type: ['string', 'null'] },
    taskRunId: { type: ['string', 'null'] },
    attempt: { type: ['integer', 'null'] },
    level,
    message: { type: 'string' },
    ts: { type: 'string', format: 'date-time' },
  },
  required: [
    'executionId',
    'namespace',
    'flowId',
    'taskId',
    'taskRunId',
    'attempt',
    'level',
    'message',
    'ts',
  ],
} as const;
