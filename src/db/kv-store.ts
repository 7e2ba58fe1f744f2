import type { KvEntry, KvStore } from '../namespaces/kv-store.js';
import { KvKeyExists } from '../namespaces/kv-store.js';
import type { KvType } from '../namespaces/kv-values.js';
import type { Queryable } from './database.js';

const LIVE = '(expires IS NULL OR expires > now())';

/** The KV store in the `kv` table (migrations/0012_namespaces.sql). */
export function createKvStore(db: Queryable): KvStore {
  return {
    async get(namespace, key) {
      const { rows } = await db.query<{ type: KvType; value: unknown }>(
        `SELECT type, value FROM kv WHERE namespace = $1 AND key = $2 AND ${LIVE}`,
        [namespace, key],
      );
      return rows[0];
    },
    async put(namespace, key, entry) {
      const expires = entry.ttlMs === undefined ? null : new Date(Date.now() + entry.ttlMs).toISOString();
      // an expired key counts as absent: a write that must not overwrite may replace it
      const { rowCount } = await db.query(
        `INSERT INTO kv (namespace, key, type, value, description, expires)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6)
         ON CONFLICT (namespace, key) DO UPDATE
           SET type = EXCLUDED.type, value = EXCLUDED.value, description = EXCLUDED.description,
               expires = EXCLUDED.expires, updated = now(),
               created = CASE WHEN kv.expires <= now() THEN now() ELSE kv.created END
           WHERE $7 OR kv.expires <= now()`,
        [
          namespace,
          key,
          entry.type,
          JSON.stringify(entry.value ?? null),
          entry.description ?? null,
          expires,
          entry.overwrite !== false,
        ],
      );
      if (rowCount === 0) throw new KvKeyExists(key);
    },
    async delete(namespace, key) {
      const { rows } = await db.query<{ live: boolean }>(
        `DELETE FROM kv WHERE namespace = $1 AND key = $2 RETURNING ${LIVE} AS live`,
        [namespace, key],
      );
      // an expired key was already gone for every reader: deleting it deletes nothing
      return rows[0]?.live === true;
    },
    async list(namespace) {
      const { rows } = await db.query<{
        key: string;
        description: string | null;
        created: Date | string;
        updated: Date | string;
        expires: Date | string | null;
      }>(
        `SELECT key, description, created, updated, expires FROM kv
          WHERE namespace = $1 AND ${LIVE} ORDER BY key`,
        [namespace],
      );
      return rows.map((r): KvEntry => ({
        key: r.key,
        description: r.description,
        creationDate: new Date(r.created).toISOString(),
        updateDate: new Date(r.updated).toISOString(),
        expirationDate: r.expires === null ? null : new Date(r.expires).toISOString(),
      }));
    },
  };
}

/** Deletes up to `limit` expired keys; returns how many went. */
export async function purgeExpiredKeys(db: Queryable, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM kv WHERE (namespace, key) IN (
       SELECT namespace, key FROM kv WHERE expires <= now() ORDER BY expires LIMIT $1)`,
    [limit],
  );
  return rowCount;
}
