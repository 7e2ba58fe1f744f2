import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import {
  ExecutionConflictError,
  type FormPart,
  getExecution,
  InvalidInputsError,
  killExecution,
  NoStorageError,
  replayExecution,
  restartExecution,
  resumeExecution,
  startExecution,
  startExecutionFromForm,
  waitForExecutionEnd,
  watchExecution,
} from '../app/executions.js';
import type { FlowScope } from '../connections/connection.js';
import type { Database } from '../db/database.js';
import {
  EXECUTION_SORTS,
  type ExecutionSort,
  type ExecutionSortKey,
  searchExecutions,
} from '../db/execution-search.js';
import { getFlow } from '../db/flow-repository.js';
import type { Execution } from '../engine/execution.js';
import { UnknownTaskRunError } from '../engine/replay.js';
import { STATES, type StateType } from '../engine/state.js';
import type { InputSeal } from '../secrets/sealed-inputs.js';
import type { Storage } from '../storage/storage.js';
import { UnstorableTextError } from '../engine/storable-text.js';
import { apiError, HttpError, inputProblems } from './errors.js';
import { unstorableAnswer } from './storable-request.js';
import { openEventStream } from './event-stream.js';
import { dateTime, errors, list, media, object, pageOf, paging, text } from './schemas/common.js';

const MAX_PAGE = 500;

type ById = { Params: { id: string } };

const idParams = object({ id: text('the execution id') }, ['id']);

const labelsParam = (description: string) =>
  list({ type: 'string', pattern: '^[^:]+:', description: 'key:value' }, description);

const SORT_PATTERN = `^(${Object.keys(EXECUTION_SORTS)
  .map((k) => k.replace('.', '\\.'))
  .join('|')})(:(asc|desc))?$`;

/** `state.startDate:desc`; the direction defaults to ascending, as in Kestra. */
function parseSort(value: string): ExecutionSort {
  const [key, direction] = value.split(':');
  return { key: key as ExecutionSortKey, descending: direction === 'desc' };
}

/** `key:value` query values; the key ends at the first colon. */
function parseLabels(values: string[] = []): Array<{ key: string; value: string }> {
  return values.map((label) => {
    const colon = label.indexOf(':');
    return { key: label.slice(0, colon), value: label.slice(colon + 1) };
  });
}

/** The parts of a multipart request as the execution layer takes them. A file over the size limit
 * fails its stream, so storing it stops there and the request is refused with 413. */
async function* formParts(req: FastifyRequest, uploadLimit: number): AsyncGenerator<FormPart> {
  for await (const part of req.parts() as AsyncIterable<Multipart>) {
    if (part.type === 'field') {
      const value = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
      yield { kind: 'field', name: part.fieldname, value };
      continue;
    }
    part.file.once('limit', () =>
      part.file.destroy(
        new HttpError(
          413,
          `file '${part.filename}' (input '${part.fieldname}') is larger than ${uploadLimit} bytes`,
          [{ path: `body.${part.fieldname}`, message: `is larger than ${uploadLimit} bytes` }],
        ),
      ),
    );
    yield { kind: 'file', name: part.fieldname, fileName: part.filename, content: part.file };
  }
}

export interface ExecutionRouteOptions {
  storage?: Storage;
  uploadLimit: number;
  inputSeal: InputSeal;
}

/** Kestra's execution routes: create (JSON or multipart inputs), search, get, follow, and control. */
export function registerExecutionRoutes(
  app: FastifyInstance,
  db: Database,
  options: ExecutionRouteOptions,
): void {
  const notFound = (id: string) => apiError(`execution ${id} not found`);

  app.post<{
    Params: { namespace: string; flowId: string };
    Querystring: { wait: boolean; labels?: string[] };
    Body: Record<string, unknown> | undefined;
  }>(
    '/api/v1/executions/:namespace/:flowId',
    {
      schema: {
        operationId: 'createExecution',
        tags: ['Executions'],
        summary: 'Start an execution of a flow with inputs (JSON, or multipart with files for FILE inputs)',
        description:
          'The body is optional (no body: every input takes its default). A JSON object gives typed inputs; ' +
          'a multipart form gives inputs as text fields, and a file part per FILE input. Files are stored ' +
          'under the execution and the input holds their sluice:/// URI.',
        params: object({ namespace: text('the namespace'), flowId: text('the flow id') }, [
          'namespace',
          'flowId',
        ]),
        querystring: object({
          wait: { type: 'boolean', default: false, description: 'answer once the execution has ended' },
          labels: labelsParam('labels of the execution, added to the flow labels'),
        }),
        body: {
          content: {
            'application/json': {
              schema: { type: 'object', description: 'input values by input id', additionalProperties: true },
            },
            'multipart/form-data': {
              schema: {
                type: 'object',
                description: 'a text field per input; a file part per FILE input',
                additionalProperties: { oneOf: [{ type: 'string' }, { type: 'string', format: 'binary' }] },
              },
            },
          },
        },
        'x-optional-body': true,
        response: {
          200: {
            description: 'the execution: as created, or as it ended with wait=true',
            $ref: 'Execution#',
          },
          ...errors(400, 404, 409, 413, 415, 422, 503),
        },
      },
      // multipart parts are streamed to the handler: there is no parsed body for the schema to check
      preValidation: async (req) => {
        if (req.isMultipart()) req.body = {};
      },
    },
    async (req, reply) => {
      const { namespace, flowId } = req.params;
      const flow = await getFlow(db, namespace, flowId);
      if (!flow) return reply.code(404).send(apiError(`flow ${namespace}.${flowId} not found`));
      const labels = Object.fromEntries(parseLabels(req.query.labels).map((l) => [l.key, l.value]));
      try {
        const execution: Execution = req.isMultipart()
          ? await startExecutionFromForm(db, options.storage, flow, formParts(req, options.uploadLimit), {
              labels,
              inputSeal: options.inputSeal,
            })
          : await startExecution(db, flow, req.body ?? {}, { labels, inputSeal: options.inputSeal });
        return req.query.wait ? await waitForExecutionEnd(db, execution.id) : execution;
      } catch (error) {
        if (error instanceof ExecutionConflictError) return reply.code(409).send(apiError(error.message));
        if (error instanceof InvalidInputsError) return reply.code(422).send(inputProblems(error));
        if (error instanceof NoStorageError) return reply.code(503).send(apiError(error.message));
        if (error instanceof UnstorableTextError) return reply.code(400).send(unstorableAnswer(error.where));
        throw error;
      }
    },
  );

  app.get<{
    Querystring: {
      namespace?: string;
      flowId?: string;
      q?: string;
      sort?: string[];
      scope?: FlowScope[];
      state?: StateType[];
      startDate?: string;
      endDate?: string;
      labels?: string[];
      page: number;
      size: number;
    };
  }>(
    '/api/v1/executions/search',
    {
      schema: {
        operationId: 'searchExecutions',
        tags: ['Executions'],
        summary: 'Executions, filtered and sorted (newest first unless told), a page at a time',
        querystring: object({
          namespace: text('a namespace; its child namespaces match too'),
          flowId: text('a flow id'),
          q: text('text found, in any case, in namespace.flowId, the execution id or a label value'),
          sort: list(
            { type: 'string', pattern: SORT_PATTERN },
            `Kestra's \`field:asc|desc\`, fields ${Object.keys(EXECUTION_SORTS).join(', ')}; several break ties in order`,
          ),
          scope: list(
            { type: 'string', enum: ['USER', 'SYSTEM'] },
            "USER: the users' flows; SYSTEM: the flows Sluice runs for connections; absent: both",
          ),
          state: list({ type: 'string', enum: [...STATES] }, 'any of these states'),
          startDate: dateTime('created at or after'),
          endDate: dateTime('created at or before'),
          labels: labelsParam('every one of these labels'),
          ...paging(25, MAX_PAGE),
        }),
        response: { 200: { description: 'a page of executions', $ref: 'ExecutionPage#' }, ...errors(400) },
      },
    },
    async (req) => {
      const { state, labels, size, sort, scope, ...filter } = req.query;
      return searchExecutions(db, {
        ...filter,
        sort: sort?.map(parseSort),
        scopes: scope,
        states: state ?? [],
        labels: parseLabels(labels),
        size: pageOf(size, MAX_PAGE),
      });
    },
  );

  app.get<ById>(
    '/api/v1/executions/:id',
    {
      schema: {
        operationId: 'getExecution',
        tags: ['Executions'],
        summary: 'The execution document',
        params: idParams,
        response: { 200: { description: 'the execution', $ref: 'Execution#' }, ...errors(404) },
      },
    },
    async (req, reply) =>
      (await getExecution(db, req.params.id)) ?? reply.code(404).send(notFound(req.params.id)),
  );

  // Server-Sent Events: the execution document at once, then each time it changes, until it ends.
  app.get<ById>(
    '/api/v1/executions/:id/follow',
    {
      schema: {
        operationId: 'followExecution',
        tags: ['Executions'],
        summary:
          'Server-Sent Events: the document as an event `execution` at once and on each change, until it ends',
        params: idParams,
        response: {
          200: media('event stream; each data is the execution document', 'text/event-stream'),
          ...errors(404),
        },
      },
    },
    async (req, reply) => {
      if (!(await getExecution(db, req.params.id))) return reply.code(404).send(notFound(req.params.id));
      const stream = openEventStream(reply);
      await watchExecution(db, req.params.id, {
        pollMs: 1000,
        signal: stream.closed,
        onUpdate: (execution) => stream.send('execution', execution),
      }).catch(() => {});
      stream.end();
    },
  );

  const accepted = (what: string) => ({ description: `${what}: queued for the executor`, $ref: 'Accepted#' });

  app.delete<ById>(
    '/api/v1/executions/:id/kill',
    {
      schema: {
        operationId: 'killExecution',
        tags: ['Executions'],
        summary: 'Kill an execution that has not ended',
        params: idParams,
        response: { 202: accepted('kill'), ...errors(404, 409) },
      },
    },
    async (req, reply) => {
      try {
        const execution = await killExecution(db, req.params.id);
        if (!execution) return reply.code(404).send(notFound(req.params.id));
        return reply.code(202).send({ id: execution.id, accepted: 'kill' });
      } catch (error) {
        if (error instanceof ExecutionConflictError) return reply.code(409).send(apiError(error.message));
        throw error;
      }
    },
  );

  app.post<ById & { Body: Record<string, unknown> | undefined }>(
    '/api/v1/executions/:id/resume',
    {
      schema: {
        operationId: 'resumeExecution',
        tags: ['Executions'],
        summary: 'Resume a paused execution; the body becomes the Pause task’s onResume output',
        params: idParams,
        body: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                description: 'values for the Pause task',
                additionalProperties: true,
              },
            },
          },
        },
        'x-optional-body': true,
        response: { 202: accepted('resume'), ...errors(400, 404, 409, 415) },
      },
    },
    async (req, reply) => {
      try {
        const execution = await resumeExecution(db, req.params.id, req.body ?? {});
        if (!execution) return reply.code(404).send(notFound(req.params.id));
        return reply.code(202).send({ id: execution.id, accepted: 'resume' });
      } catch (error) {
        if (error instanceof ExecutionConflictError) return reply.code(409).send(apiError(error.message));
        throw error;
      }
    },
  );

  app.post<ById>(
    '/api/v1/executions/:id/restart',
    {
      schema: {
        operationId: 'restartExecution',
        tags: ['Executions'],
        summary: 'Restart a FAILED or KILLED execution from its failed task runs, in place',
        params: idParams,
        response: { 202: accepted('restart'), ...errors(404, 409) },
      },
    },
    async (req, reply) => {
      try {
        const execution = await restartExecution(db, req.params.id);
        if (!execution) return reply.code(404).send(notFound(req.params.id));
        return reply.code(202).send({ id: execution.id, accepted: 'restart' });
      } catch (error) {
        if (error instanceof ExecutionConflictError) return reply.code(409).send(apiError(error.message));
        throw error;
      }
    },
  );

  app.post<ById & { Querystring: { taskRunId?: string } }>(
    '/api/v1/executions/:id/replay',
    {
      schema: {
        operationId: 'replayExecution',
        tags: ['Executions'],
        summary: 'A new execution replaying an ended one, from a task run or from the start',
        params: idParams,
        querystring: object({ taskRunId: text('the task run to replay from (absent: from the start)') }),
        response: { 200: { description: 'the new execution', $ref: 'Execution#' }, ...errors(404, 409) },
      },
    },
    async (req, reply) => {
      try {
        const replay = await replayExecution(db, req.params.id, req.query.taskRunId);
        return replay ?? reply.code(404).send(notFound(req.params.id));
      } catch (error) {
        if (error instanceof ExecutionConflictError) return reply.code(409).send(apiError(error.message));
        if (error instanceof UnknownTaskRunError) return reply.code(404).send(apiError(error.message));
        throw error;
      }
    },
  );
}
