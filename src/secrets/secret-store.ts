import type { Queryable } from '../db/database.js';
import type { SecretCipher } from './cipher.js';

/** `a.b.c` → [`a.b.c`, `a.b`, `a`], nearest first. */
export function namespaceChain(namespace: string): string[] {
  const parts = namespace.split('.');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('.'));
}

/** Secrets per namespace, encrypted at rest. A namespace sees its own secrets and those of its
 * parents (`a.b.c` sees `a.b` and `a`), the nearest winning, as Kestra resolves them. */
export function createSecretStore(db: Queryable, cipher: SecretCipher) {
  return {
    async set(namespace: string, key: string, value: string): Promise<void> {
      await db.query(
        `INSERT INTO secrets (namespace, key, value) VALUES ($1, $2, $3)
         ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, updated = now()`,
        [namespace, key, cipher.encrypt(value)],
      );
    },
    async delete(namespace: string, key: string): Promise<boolean> {
      const { rowCount } = await db.query('DELETE FROM secrets WHERE namespace = $1 AND key = $2', [
        namespace,
        key,
      ]);
      return rowCount > 0;
    },
    async keys(namespace: string): Promise<string[]> {
      const { rows } = await db.query<{ key: string }>(
        'SELECT key FROM secrets WHERE namespace = $1 ORDER BY key',
        [namespace],
      );
      return rows.map((r) => r.key);
    },
    async secretsFor(namespace: string): Promise<Map<string, string>> {
      const chain = namespaceChain(namespace);
      const { rows } = await db.query<{ namespace: string; key: string; value: string }>(
        'SELECT namespace, key, value FROM secrets WHERE namespace = ANY($1::text[])',
        [chain],
      );
      rows.sort((a, b) => b.namespace.length - a.namespace.length);
      const out = new Map<string, string>();
      for (const r of rows) if (!out.has(r.key)) out.set(r.key, cipher.decrypt(r.value));
      return out;
    },
  };
}

export type SecretStore = ReturnType<typeof createSecretStore>;
