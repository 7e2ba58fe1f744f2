import type { Readable } from 'node:stream';

/** Internal storage: files produced and read by tasks, addressed by `sluice:///…` URIs. The URI path
 * mirrors the owner: `sluice:///{namespace as a/b/c}/{flowId}/executions/{executionId}/…`. */
export interface Storage {
  /** Stores the content under the given path (relative, '/'-separated) and returns its URI. */
  put(path: string, content: Readable | Buffer | string): Promise<string>;
  /** Opens a stored file; rejects with a clear error if the URI is not a sluice URI, climbs out of
   * the root, or does not exist. */
  get(uri: string): Promise<Readable>;
  /** The file's absolute local path when the storage is the local file system (script tasks copy
   * inputs from it); undefined for remote storages. */
  localPath?(uri: string): string;
  exists(uri: string): Promise<boolean>;
  /** Deletes every file under a URI prefix (retention, execution deletion). */
  deletePrefix(uri: string): Promise<number>;
}
