import type { NamespaceFileStore } from './file-store.js';
import type { KvStore } from './kv-store.js';

/** What belongs to namespaces, as tasks and templates on a worker reach it. */
export interface NamespaceServices {
  kv: KvStore;
  files: NamespaceFileStore;
}
