// Kestra's namespace files API (NamespaceFileController): read, list, upload, move and delete the
// files of a namespace, by path inside it.
import type { Multipart } from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { createNamespaceFileStore } from '../db/namespace-file-store.js';
import { NAMESPACE } from '../flow/flow-schema.js';
import { namespaceFilePath, NamespacePathError } from '../namespaces/file-paths.js';
import { NamespaceFileError } from '../namespaces/file-store.js';
import type { Storage } from '../storage/storage.js';
import { HttpError } from './errors.js';
import { errors, media, object, text } from './schemas/common.js';

type Params = { Params: { namespace: string } };
type PathQuery = Params & { Querystring: { path?: string } };

const params = object(
  { namespace: { type: 'string', pattern: NAMESPACE.source, maxLength: 150, description: 'the namespace' } },
  ['namespace'],
);
const pathQuery = (required: boolean) =>
  object({ path: text('the path inside the namespace, e.g. /queries/daily.sql') }, required ? ['path'] : []);

const FileAttributes = object(
  {
    fileName: { type: 'string' },
    type: { type: 'string', enum: ['File', 'Directory'] },
    size: { type: 'integer' },
    creationTime: { type: 'integer', description: 'epoch milliseconds' },
    lastModifiedTime: { type: 'integer', description: 'epoch milliseconds' },
  },
  ['fileName', 'type', 'size', 'creationTime', 'lastModifiedTime'],
);

/** A path from the request, or 400 naming the query field. */
function pathOf(value: string | undefined, field = 'path'): string {
  try {
    return namespaceFilePath(value ?? '/');
  } catch (error) {
    if (error instanceof NamespacePathError) {
      throw new HttpError(400, error.message, [{ path: `query.${field}`, message: 'is not a valid path' }]);
    }
    throw error;
  }
}

/** The store's refusals as HTTP answers. */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NamespaceFileError)
      throw new HttpError(error.problem === 'not-found' ? 404 : 409, error.message);
    if (error instanceof NamespacePathError) throw new HttpError(400, error.message);
    throw error;
  }
}

export function registerNamespaceFileRoutes(
  app: FastifyInstance,
  db: Database,
  storage: Storage | undefined,
  uploadLimit: number,
): void {
  const store = storage && createNamespaceFileStore(db, storage);
  const files = () => {
    if (!store)
      throw new HttpError(503, 'no internal storage is configured: namespace files cannot be served');
    return store;
  };
  const base = '/api/v1/namespaces/:namespace/files';

  app.get<PathQuery>(
    base,
    {
      schema: {
        operationId: 'getFileContent',
        tags: ['Files'],
        summary: 'The content of a namespace file',
        params,
        querystring: pathQuery(true),
        response: {
          200: media('the file', 'application/octet-stream', { type: 'string', format: 'binary' }),
          ...errors(400, 404, 409, 503),
        },
      },
    },
    async (req, reply) => {
      const path = pathOf(req.query.path);
      const content = await answer(() => files().read(req.params.namespace, path));
      return reply.type('application/octet-stream').send(content);
    },
  );

  app.get<PathQuery>(
    `${base}/stats`,
    {
      schema: {
        operationId: 'getFileMetadatas',
        tags: ['Files'],
        summary: 'The type, size and dates of a namespace file or directory',
        params,
        querystring: pathQuery(false),
        response: {
          200: { description: 'the file attributes', ...FileAttributes },
          ...errors(400, 404, 503),
        },
      },
    },
    async (req) => answer(() => files().stats(req.params.namespace, pathOf(req.query.path))),
  );

  app.get<PathQuery>(
    `${base}/directory`,
    {
      schema: {
        operationId: 'listNamespaceDirectoryFiles',
        tags: ['Files'],
        summary: 'The files and directories directly inside a directory (the root when path is absent)',
        params,
        querystring: pathQuery(false),
        response: {
          200: { description: 'the entries', type: 'array', items: FileAttributes },
          ...errors(400, 404, 409, 503),
        },
      },
    },
    async (req) => answer(() => files().list(req.params.namespace, pathOf(req.query.path))),
  );

  app.post<PathQuery>(
    `${base}/directory`,
    {
      schema: {
        operationId: 'createNamespaceDirectory',
        tags: ['Files'],
        summary: 'Create a directory (and its parents)',
        params,
        querystring: pathQuery(true),
        response: { 204: { description: 'created', type: 'null' }, ...errors(400, 409, 503) },
      },
    },
    async (req, reply) => {
      await answer(() => files().makeDirectory(req.params.namespace, pathOf(req.query.path)));
      return reply.code(204).send();
    },
  );

  app.get<Params & { Querystring: { q: string } }>(
    `${base}/search`,
    {
      schema: {
        operationId: 'searchNamespaceFiles',
        tags: ['Files'],
        summary: 'The paths of the files whose path contains q',
        params,
        querystring: object({ q: text('a part of the path') }, ['q']),
        response: {
          200: { description: 'the paths', type: 'array', items: { type: 'string' } },
          ...errors(503),
        },
      },
    },
    async (req) =>
      (await files().files(req.params.namespace)).map((f) => f.path).filter((p) => p.includes(req.query.q)),
  );

  app.post<PathQuery>(
    base,
    {
      schema: {
        operationId: 'createNamespaceFile',
        tags: ['Files'],
        summary:
          'Upload a file to a path (multipart, the file in the part `fileContent`); replaces a file there',
        params,
        querystring: pathQuery(true),
        response: { 204: { description: 'stored', type: 'null' }, ...errors(400, 409, 413, 415, 503) },
      },
      // the parts are streamed to the handler: there is no parsed body for a schema to check
      preValidation: async (req) => {
        if (req.isMultipart()) req.body = {};
      },
    },
    async (req, reply) => {
      const path = pathOf(req.query.path);
      if (!req.isMultipart())
        throw new HttpError(415, 'send the file as multipart/form-data, in the part fileContent');
      const store = files();
      let stored = false;
      for await (const part of req.parts() as AsyncIterable<Multipart>) {
        if (part.type !== 'file') continue;
        if (stored) {
          part.file.resume();
          continue;
        }
        part.file.once('limit', () =>
          part.file.destroy(
            new HttpError(413, `file '${part.filename}' is larger than ${uploadLimit} bytes`),
          ),
        );
        await answer(() => store.write(req.params.namespace, path, part.file));
        stored = true;
      }
      if (!stored) throw new HttpError(400, 'no file in the request: send it in the part fileContent');
      return reply.code(204).send();
    },
  );

  app.put<Params & { Querystring: { from: string; to: string } }>(
    base,
    {
      schema: {
        operationId: 'moveFileDirectory',
        tags: ['Files'],
        summary: 'Move (rename) a file or a directory with what it holds',
        params,
        querystring: object({ from: text('the path to move'), to: text('the new path') }, ['from', 'to']),
        response: { 204: { description: 'moved', type: 'null' }, ...errors(400, 404, 409, 503) },
      },
    },
    async (req, reply) => {
      const from = pathOf(req.query.from, 'from');
      const to = pathOf(req.query.to, 'to');
      await answer(() => files().move(req.params.namespace, from, to));
      return reply.code(204).send();
    },
  );

  app.delete<PathQuery>(
    base,
    {
      schema: {
        operationId: 'deleteFileDirectory',
        tags: ['Files'],
        summary: 'Delete a file, or a directory with what it holds',
        params,
        querystring: pathQuery(true),
        response: { 204: { description: 'deleted', type: 'null' }, ...errors(400, 404, 503) },
      },
    },
    async (req, reply) => {
      const path = pathOf(req.query.path);
      const deleted = await answer(() => files().delete(req.params.namespace, path));
      if (!deleted)
        throw new HttpError(404, `no file or directory ${path} in namespace ${req.params.namespace}`);
      return reply.code(204).send();
    },
  );
}
