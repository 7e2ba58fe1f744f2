import type { FastifyInstance } from 'fastify';
import { getExecution } from '../app/executions.js';
import type { Database } from '../db/database.js';
import { selectLogs } from '../db/engine-store.js';
import { isLevel, searchLogs } from '../db/log-search.js';
import { isTerminal } from '../engine/state.js';
import { openEventStream } from './event-stream.js';

type LogQuery = {
  namespace?: string;
  flowId?: string;
  executionId?: string;
  taskRunId?: string;
  minLevel?: string;
  q?: string;
  startDate?: string;
  endDate?: string;
  page?: string;
  size?: string;
};

/** Log search, download and follow (Server-Sent Events). */
export function registerLogRoutes(app: FastifyInstance, db: Database): void {
  app.get<{ Querystring: LogQuery }>('/api/v1/logs/search', async (req, reply) => {
    const q = req.query;
    if (q.minLevel !== undefined && !isLevel(q.minLevel)) {
      return reply
        .code(400)
        .send({ message: `minLevel must be TRACE, DEBUG, INFO, WARN or ERROR`, details: [] });
    }
    return searchLogs(db, {
      namespace: q.namespace,
      flowId: q.flowId,
      executionId: q.executionId,
      taskRunId: q.taskRunId,
      minLevel: q.minLevel,
      text: q.q,
      startDate: q.startDate,
      endDate: q.endDate,
      page: Math.max(1, Number.parseInt(q.page ?? '1', 10) || 1),
      size: Math.min(5_000, Math.max(1, Number.parseInt(q.size ?? '100', 10) || 100)),
    });
  });

  app.get<{ Params: { id: string } }>('/api/v1/logs/:id', async (req) => selectLogs(db, req.params.id));

  app.get<{ Params: { id: string } }>('/api/v1/logs/:id/download', async (req, reply) => {
    const lines = await selectLogs(db, req.params.id);
    const text = lines.map((l) => `${l.ts} ${l.level.padEnd(5)} ${l.taskId ?? '-'} ${l.message}\n`).join('');
    return reply
      .type('text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="${req.params.id}.log"`)
      .send(text);
  });

  // New lines as they are written, until the execution has ended and its last lines are sent.
  app.get<{ Params: { id: string } }>('/api/v1/logs/:id/follow', async (req, reply) => {
    if (!(await getExecution(db, req.params.id))) {
      return reply.code(404).send({ message: `execution ${req.params.id} not found`, details: [] });
    }
    const stream = openEventStream(reply);
    let afterId = 0;
    while (!stream.closed.aborted) {
      const ended = isTerminal((await getExecution(db, req.params.id))?.state.current ?? 'KILLED');
      const lines = await searchLogs(db, { executionId: req.params.id, afterId, page: 1, size: 1_000 });
      for (const line of lines) stream.send('log', line);
      afterId = lines.at(-1)?.id ?? afterId;
      if (ended && lines.length < 1_000) break;
      if (lines.length < 1_000) await new Promise((r) => setTimeout(r, 250));
    }
    stream.end();
  });
}
