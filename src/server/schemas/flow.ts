// Flows as the API returns them: what a save answers, search summaries, the whole parsed flow, and the
// mistakes of an invalid one (each with its line and column).

export const FlowSaved = {
  $id: 'FlowSaved',
  type: 'object',
  properties: {
    id: { type: 'string' },
    namespace: { type: 'string' },
    revision: { type: 'integer' },
    source: { type: 'string', description: 'the YAML as sent' },
  },
  required: ['id', 'namespace', 'revision', 'source'],
} as const;

/** The parsed flow (Kestra's flow fields) with its revision and source; open, since task and trigger
 * properties depend on their types. */
export const Flow = {
  $id: 'Flow',
  type: 'object',
  properties: {
    id: { type: 'string' },
    namespace: { type: 'string' },
    revision: { type: 'integer' },
    description: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    inputs: { type: 'array', items: { type: 'object', additionalProperties: true } },
    tasks: { type: 'array', items: { type: 'object', additionalProperties: true } },
    triggers: { type: 'array', items: { type: 'object', additionalProperties: true } },
    disabled: { type: 'boolean' },
    source: { type: 'string' },
  },
  required: ['id', 'namespace', 'revision', 'tasks', 'disabled', 'source'],
  additionalProperties: true,
} as const;

export const FlowSummary = {
  $id: 'FlowSummary',
  type: 'object',
  properties: {
    id: { type: 'string' },
    namespace: { type: 'string' },
    revision: { type: 'integer' },
    description: { type: 'string' },
    disabled: { type: 'boolean' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    updated: { type: 'string', format: 'date-time' },
    lastExecution: {
      type: 'object',
      description: 'the newest execution of the flow',
      properties: {
        id: { type: 'string' },
        state: { type: 'string' },
        date: { type: 'string', format: 'date-time' },
      },
      required: ['id', 'state', 'date'],
    },
  },
  required: ['id', 'namespace', 'revision', 'disabled', 'labels', 'updated'],
} as const;

export const FlowProblem = {
  $id: 'FlowProblem',
  type: 'object',
  description: 'One mistake in a flow, at its line and column',
  properties: {
    line: { type: 'integer' },
    column: { type: 'integer' },
    message: { type: 'string' },
    text: { type: 'string', description: '`flow.yaml:line:col: message`' },
  },
  required: ['line', 'column', 'message', 'text'],
} as const;

export const FlowValidation = {
  $id: 'FlowValidation',
  type: 'object',
  properties: {
    valid: { type: 'boolean' },
    id: { type: 'string' },
    namespace: { type: 'string' },
    errors: { type: 'array', items: { $ref: 'FlowProblem#' } },
  },
  required: ['valid', 'errors'],
} as const;

export const FlowRevision = {
  $id: 'FlowRevision',
  type: 'object',
  properties: {
    revision: { type: 'integer' },
    source: { type: 'string' },
    updated: { type: 'string', format: 'date-time' },
  },
  required: ['revision', 'source', 'updated'],
} as const;
