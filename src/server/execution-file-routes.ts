import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { getExecution } from '../app/executions.js';
import type { Database } from '../db/database.js';
import { executionStoragePrefix, pathOfUri, uriOfPath } from '../storage/paths.js';
import type { ByteRange, Storage } from '../storage/storage.js';
import { apiError, HttpError } from './errors.js';
import { MAX_PREVIEW_BYTES, NotPreviewableError, previewFile } from './file-preview.js';
import { errors, media, object, text } from './schemas/common.js';

type FileRequest = { Params: { id: string }; Querystring: { path: string; maxRows: number } };

const MAX_ROWS = 10_000;

const params = object({ id: text('the execution id') }, ['id']);
const path = text('the file, as its sluice:/// URI (from the inputs or outputs of the execution)');

/** The files an execution stored (uploaded FILE inputs, task output files): downloaded whole, or
 * previewed. Only files under the execution's own storage prefix are served. */
export function registerExecutionFileRoutes(app: FastifyInstance, db: Database, storage?: Storage): void {
  /** The file's stream and name, once the execution, the path and the file are all known good. */
  const open = async (
    id: string,
    uri: string,
    range?: ByteRange,
  ): Promise<{ content: Readable; name: string }> => {
    if (!storage) throw new HttpError(503, 'no internal storage is configured: files cannot be served');
    const execution = await getExecution(db, id);
    if (!execution) throw new HttpError(404, `execution ${id} not found`);
    let canonical: string;
    try {
      canonical = uriOfPath(pathOfUri(uri));
    } catch (error) {
      throw new HttpError(400, (error as Error).message, [
        { path: 'query.path', message: 'is not a sluice:/// URI' },
      ]);
    }
    const own = `${uriOfPath(executionStoragePrefix(execution.namespace, execution.flowId, execution.id))}/`;
    if (!canonical.startsWith(own)) {
      throw new HttpError(403, `${uri} is not a file of execution ${id}`, [
        { path: 'query.path', message: `must start with ${own}` },
      ]);
    }
    if (!(await storage.exists(canonical))) throw new HttpError(404, `file not found: ${uri}`);
    return { content: await storage.get(canonical, range), name: posix.basename(canonical) };
  };

  app.get<FileRequest>(
    '/api/v1/executions/:id/file',
    {
      schema: {
        operationId: 'downloadExecutionFile',
        tags: ['Executions'],
        summary: 'Download a file of the execution',
        params,
        querystring: object({ path }, ['path']),
        response: {
          200: media('the file, as an attachment', 'application/octet-stream', {
            type: 'string',
            format: 'binary',
          }),
          ...errors(400, 403, 404, 503),
        },
      },
    },
    async (req, reply) => {
      const { content, name } = await open(req.params.id, req.query.path);
      return reply
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"`)
        .send(content);
    },
  );

  app.get<FileRequest>(
    '/api/v1/executions/:id/file/preview',
    {
      schema: {
        operationId: 'previewExecutionFile',
        tags: ['Executions'],
        summary: 'The first lines of a file of the execution (JSON-lines files as a list of records)',
        params,
        querystring: object(
          {
            path,
            maxRows: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_ROWS,
              default: 100,
              description: 'lines to show',
            },
          },
          ['path'],
        ),
        response: {
          200: { description: 'the preview', $ref: 'FilePreview#' },
          ...errors(400, 403, 404, 422, 503),
        },
      },
    },
    async (req, reply) => {
      // one byte past what a preview shows tells it that the file goes on; a remote storage sends no more
      const head = { offset: 0, length: MAX_PREVIEW_BYTES + 1 };
      const { content, name } = await open(req.params.id, req.query.path, head);
      try {
        return await previewFile(content, name, req.query.maxRows);
      } catch (error) {
        if (error instanceof NotPreviewableError) return reply.code(422).send(apiError(error.message));
        throw error;
      }
    },
  );
}
