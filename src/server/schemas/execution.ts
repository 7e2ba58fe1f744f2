// The execution document (DESIGN.md contract, Kestra's shape). Every object stays open
// (additionalProperties): the serialiser must pass through fields the engine adds (originalId,
// trigger, error, a task run's items and branch…) instead of stripping them.
import { STATES } from '../../engine/state.js';

const stateType = { type: 'string', enum: [...STATES] } as const;

export const State = {
  $id: 'State',
  type: 'object',
  properties: {
    current: stateType,
    histories: {
      type: 'array',
      items: {
        type: 'object',
        properties: { state: stateType, date: { type: 'string', format: 'date-time' } },
        required: ['state', 'date'],
        additionalProperties: true,
      },
    },
    startDate: { type: 'string', format: 'date-time' },
    endDate: { type: 'string', format: 'date-time' },
    duration: { type: 'string', description: 'ISO-8601 duration, once ended' },
  },
  required: ['current', 'histories'],
  additionalProperties: true,
} as const;

export const TaskRun = {
  $id: 'TaskRun',
  type: 'object',
  properties: {
    id: { type: 'string' },
    taskId: { type: 'string' },
    parentTaskRunId: { type: ['string', 'null'] },
    value: { type: ['string', 'null'], description: 'the loop item, on direct children of a loop' },
    state: { $ref: 'State#' },
    attempts: {
      type: 'array',
      items: {
        type: 'object',
        properties: { state: { $ref: 'State#' } },
        required: ['state'],
        additionalProperties: true,
      },
    },
    outputs: { type: ['object', 'null'], additionalProperties: true },
  },
  required: ['id', 'taskId', 'parentTaskRunId', 'value', 'state', 'attempts', 'outputs'],
  additionalProperties: true,
} as const;

export const Execution = {
  $id: 'Execution',
  type: 'object',
  description: 'The execution document (Kestra shape)',
  properties: {
    id: { type: 'string' },
    namespace: { type: 'string' },
    flowId: { type: 'string' },
    flowRevision: { type: 'integer' },
    state: { $ref: 'State#' },
    inputs: { type: 'object', additionalProperties: true },
    outputs: { type: ['object', 'null'], additionalProperties: true },
    labels: {
      type: 'array',
      items: {
        type: 'object',
        properties: { key: { type: 'string' }, value: { type: 'string' } },
        required: ['key', 'value'],
      },
    },
    taskRunList: { type: 'array', items: { $ref: 'TaskRun#' } },
  },
  required: [
    'id',
    'namespace',
    'flowId',
    'flowRevision',
    'state',
    'inputs',
    'outputs',
    'labels',
    'taskRunList',
  ],
  additionalProperties: true,
} as const;

export const ExecutionPage = {
  $id: 'ExecutionPage',
  type: 'object',
  properties: {
    results: { type: 'array', items: { $ref: 'Execution#' } },
    total: { type: 'integer', description: 'matches, counted up to a cap' },
    totalCapped: { type: 'boolean', description: 'true when there are more matches than total says' },
  },
  required: ['results', 'total', 'totalCapped'],
} as const;

/** What kill, resume and restart answer: the request is queued for the executor. */
export const Accepted = {
  $id: 'Accepted',
  type: 'object',
  properties: {
    id: { type: 'string' },
    accepted: { type: 'string', enum: ['kill', 'resume', 'restart'] },
  },
  required: ['id', 'accepted'],
} as const;

/** The first lines or records of a stored file. */
export const FilePreview = {
  $id: 'FilePreview',
  type: 'object',
  properties: {
    extension: { type: 'string', description: "the file name's extension, without the dot ('' when none)" },
    type: {
      type: 'string',
      enum: ['LIST', 'TEXT'],
      description: 'LIST: content is the records of a JSON-lines file; TEXT: content is its first lines',
    },
    content: { oneOf: [{ type: 'array', items: {} }, { type: 'string' }] },
    truncated: { type: 'boolean', description: 'true when the file goes on after what is shown' },
  },
  required: ['extension', 'type', 'content', 'truncated'],
} as const;
