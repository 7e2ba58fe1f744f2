import type { Readable } from 'node:stream';

/** A file or directory as Kestra's API describes it (FileAttributes); times in epoch milliseconds. */
export interface NamespaceFileEntry {
  fileName: string;
  type: 'File' | 'Directory';
  size: number;
  creationTime: number;
  lastModifiedTime: number;
}

export type NamespaceFileProblem = 'not-found' | 'conflict';

/** A request the tree cannot satisfy: a path that is not there, or of the wrong kind. */
export class NamespaceFileError extends Error {
  constructor(
    readonly problem: NamespaceFileProblem,
    message: string,
  ) {
    super(message);
  }
}

/** The tree of files of each namespace. Paths are canonical (namespaceFilePath); directories exist
 * on their own (made explicitly, or as the parents of a file) until deleted. */
export interface NamespaceFileStore {
  /** the entries directly inside a directory; the root always exists */
  list(namespace: string, directory: string): Promise<NamespaceFileEntry[]>;
  stats(namespace: string, path: string): Promise<NamespaceFileEntry>;
  /** every file of the namespace, by path, sorted */
  files(namespace: string): Promise<Array<{ path: string; size: number }>>;
  read(namespace: string, path: string): Promise<Readable>;
  /** stores a file, making its parent directories; replaces a file of that path */
  write(namespace: string, path: string, content: Readable | Buffer | string): Promise<void>;
  makeDirectory(namespace: string, path: string): Promise<void>;
  /** moves a file or a directory with everything in it */
  move(namespace: string, from: string, to: string): Promise<void>;
  /** deletes a file, or a directory with everything in it; false when nothing was there */
  delete(namespace: string, path: string): Promise<boolean>;
}
