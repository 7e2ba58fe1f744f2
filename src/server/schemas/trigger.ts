// A trigger as the scheduler keeps it.

export const Trigger = {
  $id: 'Trigger',
  type: 'object',
  properties: {
    namespace: { type: 'string' },
    flowId: { type: 'string' },
    triggerId: { type: 'string' },
    nextExecutionDate: { type: ['string', 'null'], format: 'date-time' },
    lastExecutionDate: { type: ['string', 'null'], format: 'date-time' },
    disabled: { type: 'boolean' },
    executionId: {
      type: ['string', 'null'],
      description: 'the execution it started last, which holds it while running',
    },
  },
  required: [
    'namespace',
    'flowId',
    'triggerId',
    'nextExecutionDate',
    'lastExecutionDate',
    'disabled',
    'executionId',
  ],
} as const;
