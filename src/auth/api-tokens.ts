import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/database.js';
import { hashApiToken, newApiToken } from './api-token.js';

export interface ApiTokenInfo {
  id: string;
  name: string;
  created: string;
  lastUsed: string | null;
  expires: string | null;
}

/** Creates a token and returns it in clear: the only time it exists outside the caller's hands. */
export async function createApiToken(
  db: Queryable,
  options: { name?: string; expiresInMs?: number } = {},
): Promise<{ id: string; token: string }> {
  const id = randomBytes(6).toString('hex');
  const { token, hash } = newApiToken();
  await db.query(
    `INSERT INTO api_tokens (id, name, token_hash, expires)
     VALUES ($1, $2, $3, CASE WHEN $4::float8 IS NULL THEN NULL ELSE now() + $4::float8 * interval '1 millisecond' END)`,
    [id, options.name ?? `token-${id}`, hash, options.expiresInMs ?? null],
  );
  return { id, token };
}

/** The id of the live token this is, or undefined. Records the use at most once a minute, so that a
 * busy client does not turn every request into a write. */
export async function apiTokenId(db: Queryable, token: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM api_tokens WHERE token_hash = $1 AND (expires IS NULL OR expires > now())',
    [hashApiToken(token)],
  );
  const id = rows[0]?.id;
  if (id) {
    await db.query(
      `UPDATE api_tokens SET last_used = now()
        WHERE id = $1 AND (last_used IS NULL OR last_used < now() - interval '1 minute')`,
      [id],
    );
  }
  return id;
}

export async function listApiTokens(db: Queryable): Promise<ApiTokenInfo[]> {
  const { rows } = await db.query<ApiTokenInfo>(
    `SELECT id, name,
            to_json(created)#>>'{}' AS created,
            to_json(last_used)#>>'{}' AS "lastUsed",
            to_json(expires)#>>'{}' AS expires
       FROM api_tokens ORDER BY created, id`,
  );
  return rows;
}

export async function revokeApiToken(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM api_tokens WHERE id = $1', [id]);
  return rowCount > 0;
}
