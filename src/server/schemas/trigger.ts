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
    type: { type: 'string', description: 'the trigger type, as the flow declares it' },
    scheduled: {
      type: 'boolean',
      description: 'the scheduler keeps it (Schedule triggers): it can be disabled, unlocked and backfilled',
    },
    backfill: {
      description: 'the latest backfill asked through the API, running or done',
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          properties: {
            start: { type: 'string', format: 'date-time' },
            end: { type: ['string', 'null'], format: 'date-time' },
            inputs: { type: 'object', additionalProperties: true },
            labels: { type: 'object', additionalProperties: { type: 'string' } },
            resume: {
              type: ['string', 'null'],
              format: 'date-time',
              description: 'where the schedule resumes once a backfill with an end is done',
            },
            total: { type: 'integer', description: 'occurrences from start to end' },
            fired: { type: 'integer', description: 'how many have fired' },
            done: { type: 'boolean' },
          },
        },
      ],
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
