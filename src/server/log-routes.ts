import type { FastifyInstance } from 'fastify';
import { getExecution } from '../app/executions.js';
import type { Database } from '../db/database.js';
import { selectLogs } from '../db/engine-store.js';
import { searchLogs } from '../db/log-search.js';
import type { LogLine } from '../engine/messages.js';
import { isTerminal } from '../engine/state.js';
import { apiError } from './errors.js';
import { openEventStream } from './event-stream.js';
import { dateTime, errors, media, object, pageOf, paging, text } from './schemas/common.js';
import { level } from './schemas/log.js';

const MAX_PAGE = 5_000;

type LogQuery = {
  namespace?: string;
  flowId?: string;
  executionId?: string;
  taskRunId?: string;
  minLevel?: LogLine['level'];
  q?: string;
  startDate?: string;
  endDate?: string;
  sort?: 'timestamp:asc' | 'timestamp:desc';
  page: number;
  size: number;
};

type ByExecution = { Params: { executionId: string } };

const executionParams = object({ executionId: text('the execution id') }, ['executionId']);

/** Log search, download and follow (Server-Sent Events). */
export function registerLogRoutes(app: FastifyInstance, db: Database): void {
  app.get<{ Querystring: LogQuery }>(
    '/api/v1/logs/search',
    {
      schema: {
        operationId: 'searchLogs',
        tags: ['Logs'],
        summary: 'Log lines in the order they were written, filtered',
        querystring: object({
          namespace: text('a namespace; its child namespaces match too'),
          flowId: text('a flow id'),
          executionId: text('an execution id'),
          taskRunId: text('a task run id'),
          minLevel: { ...level, description: 'this level and above' },
          q: text('text the message contains (case-insensitive)'),
          startDate: dateTime('lines written at or after'),
          endDate: dateTime('lines written at or before'),
          sort: {
            type: 'string',
            enum: ['timestamp:asc', 'timestamp:desc'],
            default: 'timestamp:asc',
            description: "Kestra's sort: in the order written (default), or newest first",
          },
          ...paging(100, MAX_PAGE),
        }),
        response: {
          200: { description: 'log lines', type: 'array', items: { $ref: 'LogLine#' } },
          ...errors(400),
        },
      },
    },
    async (req) => {
      const { q, size, sort, ...filter } = req.query;
      return searchLogs(db, {
        ...filter,
        text: q,
        newestFirst: sort === 'timestamp:desc',
        size: pageOf(size, MAX_PAGE),
      });
    },
  );

  app.get<ByExecution>(
    '/api/v1/logs/:executionId',
    {
      schema: {
        operationId: 'listExecutionLogs',
        tags: ['Logs'],
        summary: 'Every log line of an execution (an empty list for an unknown one)',
        params: executionParams,
        response: { 200: { description: 'log lines', type: 'array', items: { $ref: 'LogLine#' } } },
      },
    },
    async (req) => selectLogs(db, req.params.executionId),
  );

  app.get<ByExecution>(
    '/api/v1/logs/:executionId/download',
    {
      schema: {
        operationId: 'downloadExecutionLogs',
        tags: ['Logs'],
        summary: "An execution's log as a text file: `<ts> <LEVEL> <taskId> <message>` per line",
        params: executionParams,
        response: { 200: media('the log, as an attachment', 'text/plain') },
      },
    },
    async (req, reply) => {
      const lines = await selectLogs(db, req.params.executionId);
      const text = lines
        .map((l) => `${l.ts} ${l.level.padEnd(5)} ${l.taskId ?? '-'} ${l.message}\n`)
        .join('');
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.params.executionId}.log"`)
        .send(text);
    },
  );

  // New lines as they are written, until the execution has ended and its last lines are sent.
  app.get<ByExecution>(
    '/api/v1/logs/:executionId/follow',
    {
      schema: {
        operationId: 'followExecutionLogs',
        tags: ['Logs'],
        summary: 'Server-Sent Events: each log line as an event `log`, until the execution has ended',
        params: executionParams,
        response: {
          200: media('event stream; each data is a log line', 'text/event-stream'),
          ...errors(404),
        },
      },
    },
    async (req, reply) => {
      const id = req.params.executionId;
      if (!(await getExecution(db, id))) {
        return reply.code(404).send(apiError(`execution ${id} not found`));
      }
      const stream = openEventStream(reply);
      let afterId = 0;
      while (!stream.closed.aborted) {
        const ended = isTerminal((await getExecution(db, id))?.state.current ?? 'KILLED');
        const lines = await searchLogs(db, { executionId: id, afterId, page: 1, size: 1_000 });
        for (const line of lines) stream.send('log', line);
        afterId = lines.at(-1)?.id ?? afterId;
        if (ended && lines.length < 1_000) break;
        if (lines.length < 1_000) await new Promise((r) => setTimeout(r, 250));
      }
      stream.end();
    },
  );
}
