import { Readable, Transform } from 'node:stream';
import { baseName, parentsOf } from '../namespaces/file-paths.js';
import {
  NamespaceFileError,
  type NamespaceFileEntry,
  type NamespaceFileStore,
} from '../namespaces/file-store.js';
import { namespaceFilesPrefix, uriOfPath } from '../storage/paths.js';
import type { Storage } from '../storage/storage.js';
import type { Database } from './database.js';

type Row = {
  path: string;
  type: 'File' | 'Directory';
  size: string | number;
  created: Date | string;
  updated: Date | string;
};

const entry = (r: Row): NamespaceFileEntry => ({
  fileName: baseName(r.path),
  type: r.type,
  size: Number(r.size),
  creationTime: new Date(r.created).getTime(),
  lastModifiedTime: new Date(r.updated).getTime(),
});

/** The rows of `namespace_files` (migrations/0012_namespaces.sql) index the tree; the content of each
 * file is in internal storage, under namespaceFilesPrefix. Content is stored before its row is
 * written and its row deleted before the content, so a listed file can always be read. */
export function createNamespaceFileStore(db: Database, storage: Storage): NamespaceFileStore {
  const uri = (namespace: string, path: string) => uriOfPath(`${namespaceFilesPrefix(namespace)}${path}`);

  const find = async (namespace: string, path: string): Promise<Row | undefined> => {
    const { rows } = await db.query<Row>(
      'SELECT path, type, size, created, updated FROM namespace_files WHERE namespace = $1 AND path = $2',
      [namespace, path],
    );
    return rows[0];
  };

  const notFound = (namespace: string, path: string) =>
    new NamespaceFileError('not-found', `no file or directory ${path} in namespace ${namespace}`);

  /** Refuses a new entry whose parents include a file, or whose path is taken by the other kind. */
  const checkPlace = async (namespace: string, path: string, type: 'File' | 'Directory') => {
    const { rows } = await db.query<{ path: string; type: string }>(
      'SELECT path, type FROM namespace_files WHERE namespace = $1 AND path = ANY($2::text[])',
      [namespace, [...parentsOf(path), path]],
    );
    for (const r of rows) {
      if (r.path !== path && r.type === 'File') {
        throw new NamespaceFileError(
          'conflict',
          `${r.path} is a file, not a directory, in namespace ${namespace}`,
        );
      }
      if (r.path === path && r.type !== type) {
        throw new NamespaceFileError(
          'conflict',
          `${path} is a ${r.type.toLowerCase()} in namespace ${namespace}`,
        );
      }
    }
  };

  const addDirectories = (namespace: string, paths: string[]) =>
    db.query(
      `INSERT INTO namespace_files (namespace, path, type)
       SELECT $1, p, 'Directory' FROM unnest($2::text[]) AS p ON CONFLICT DO NOTHING`,
      [namespace, paths],
    );

  const below = (path: string) => (path === '/' ? '/' : `${path}/`);

  const store: NamespaceFileStore = {
    async list(namespace, directory) {
      if (directory !== '/') {
        const row = await find(namespace, directory);
        if (!row) throw notFound(namespace, directory);
        if (row.type === 'File')
          throw new NamespaceFileError('conflict', `${directory} is a file, not a directory`);
      }
      const prefix = below(directory);
      const { rows } = await db.query<Row>(
        `SELECT path, type, size, created, updated FROM namespace_files
          WHERE namespace = $1 AND starts_with(path, $2) AND strpos(substr(path, length($2) + 1), '/') = 0
          ORDER BY path`,
        [namespace, prefix],
      );
      return rows.map(entry);
    },
    async stats(namespace, path) {
      if (path === '/') {
        return { fileName: '', type: 'Directory', size: 0, creationTime: 0, lastModifiedTime: 0 };
      }
      const row = await find(namespace, path);
      if (!row) throw notFound(namespace, path);
      return entry(row);
    },
    async files(namespace) {
      const { rows } = await db.query<{ path: string; size: string | number }>(
        `SELECT path, size FROM namespace_files WHERE namespace = $1 AND type = 'File' ORDER BY path`,
        [namespace],
      );
      return rows.map((r) => ({ path: r.path, size: Number(r.size) }));
    },
    async read(namespace, path) {
      const row = await find(namespace, path);
      if (!row) throw notFound(namespace, path);
      if (row.type !== 'File') throw new NamespaceFileError('conflict', `${path} is a directory, not a file`);
      return storage.get(uri(namespace, path));
    },
    async write(namespace, path, content) {
      if (path === '/') throw new NamespaceFileError('conflict', 'the root is a directory, not a file');
      await checkPlace(namespace, path, 'File');
      let size = 0;
      // counts what passes without reading ahead of the storage (a 'data' listener would drain it)
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          done(null, chunk);
        },
      });
      const source =
        typeof content === 'string' || Buffer.isBuffer(content)
          ? Readable.from([Buffer.from(content)])
          : content;
      source.on('error', (error) => counted.destroy(error));
      await storage.put(`${namespaceFilesPrefix(namespace)}${path}`, source.pipe(counted));
      await db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO namespace_files (namespace, path, type)
           SELECT $1, p, 'Directory' FROM unnest($2::text[]) AS p ON CONFLICT DO NOTHING`,
          [namespace, parentsOf(path)],
        );
        await tx.query(
          `INSERT INTO namespace_files (namespace, path, type, size) VALUES ($1, $2, 'File', $3)
           ON CONFLICT (namespace, path) DO UPDATE SET size = EXCLUDED.size, updated = now()`,
          [namespace, path, size],
        );
      });
    },
    async makeDirectory(namespace, path) {
      if (path === '/') return;
      await checkPlace(namespace, path, 'Directory');
      await addDirectories(namespace, [...parentsOf(path), path]);
    },
    async move(namespace, from, to) {
      if (from === '/' || to === '/') throw new NamespaceFileError('conflict', 'the root cannot be moved');
      const row = await find(namespace, from);
      if (!row) throw notFound(namespace, from);
      if (to === from) return;
      if (to.startsWith(`${from}/`)) {
        throw new NamespaceFileError('conflict', `cannot move ${from} into itself (${to})`);
      }
      if (await find(namespace, to)) {
        throw new NamespaceFileError('conflict', `${to} already exists in namespace ${namespace}`);
      }
      if (row.type === 'File') {
        await store.write(namespace, to, await storage.get(uri(namespace, from)));
      } else {
        await store.makeDirectory(namespace, to);
        const { rows } = await db.query<{ path: string; type: string }>(
          `SELECT path, type FROM namespace_files WHERE namespace = $1 AND starts_with(path, $2) ORDER BY path`,
          [namespace, `${from}/`],
        );
        for (const r of rows) {
          const target = to + r.path.slice(from.length);
          if (r.type === 'File')
            await store.write(namespace, target, await storage.get(uri(namespace, r.path)));
          else await store.makeDirectory(namespace, target);
        }
      }
      await store.delete(namespace, from);
    },
    async delete(namespace, path) {
      if (path === '/') {
        const { rowCount } = await db.query('DELETE FROM namespace_files WHERE namespace = $1', [namespace]);
        await storage.deletePrefix(uriOfPath(namespaceFilesPrefix(namespace)));
        return rowCount > 0;
      }
      const { rowCount } = await db.query(
        'DELETE FROM namespace_files WHERE namespace = $1 AND (path = $2 OR starts_with(path, $3))',
        [namespace, path, `${path}/`],
      );
      if (rowCount === 0) return false;
      await storage.deletePrefix(uri(namespace, path));
      return true;
    },
  };
  return store;
}
