import type { TypedValue } from './kv-values.js';

/** A key as Kestra's API lists it (KVEntry). Dates are ISO-8601 instants. */
export interface KvEntry {
  key: string;
  description: string | null;
  creationDate: string;
  updateDate: string;
  expirationDate: string | null;
}

export interface KvPut extends TypedValue {
  /** the key expires this long after the write; absent: never */
  ttlMs?: number;
  description?: string;
  /** false: refuse to replace a key that exists (and has not expired); default true */
  overwrite?: boolean;
}

/** Refused because the key exists and the write said not to overwrite it. */
export class KvKeyExists extends Error {
  constructor(key: string) {
    super(`Cannot set value for key '${key}'. Key already exists and \`overwrite\` is set to \`false\`.`);
  }
}

/** Kestra's KV store, per namespace. An expired key is gone for every reader, whether or not the cron
 * has purged it yet. Keys are checked by the caller (checkKey). */
export interface KvStore {
  get(namespace: string, key: string): Promise<TypedValue | undefined>;
  /** throws KvKeyExists when `overwrite` is false and the key exists */
  put(namespace: string, key: string, entry: KvPut): Promise<void>;
  delete(namespace: string, key: string): Promise<boolean>;
  list(namespace: string): Promise<KvEntry[]>;
}
