import type { Queryable } from '../db/database.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from './password.js';

/** Names go into an HTTP basic header (`name:password`), so no colon; kept to what reads well in logs. */
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export class UserExistsError extends Error {}

function userNameProblem(name: string): string | undefined {
  return USER_NAME.test(name)
    ? undefined
    : `invalid user name '${name}': 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`;
}

function passwordProblem(password: string): string | undefined {
  return password.length >= MIN_PASSWORD_LENGTH
    ? undefined
    : `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
}

/** Adds a user, or sets the password of an existing one when `replace` is set. Returns whether the
 * user is new. */
export async function saveUser(
  db: Queryable,
  name: string,
  password: string,
  options: { replace?: boolean } = {},
): Promise<boolean> {
  const problem = userNameProblem(name) ?? passwordProblem(password);
  if (problem) throw new Error(problem);
  const hash = await hashPassword(password);
  const { rows } = await db.query<{ created: boolean }>(
    `INSERT INTO users (name, password_hash) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated = now()
       WHERE $3::boolean
     RETURNING (xmax = 0) AS created`,
    [name, hash, options.replace === true],
  );
  if (rows.length === 0)
    throw new UserExistsError(`user ${name} already exists (--replace sets a new password)`);
  return rows[0].created;
}

export async function passwordHashOf(db: Queryable, name: string): Promise<string | undefined> {
  const { rows } = await db.query<{ password_hash: string }>(
    'SELECT password_hash FROM users WHERE name = $1',
    [name],
  );
  return rows[0]?.password_hash;
}

export async function deleteUser(db: Queryable, name: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM users WHERE name = $1', [name]);
  return rowCount > 0;
}

export async function userNames(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>('SELECT name FROM users ORDER BY name');
  return rows.map((r) => r.name);
}

/** Whether anyone at all can log in: a server with auth on and no credentials says how to make one. */
export async function anyCredentials(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ any: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM users)
         OR EXISTS (SELECT 1 FROM api_tokens WHERE expires IS NULL OR expires > now()) AS any`,
  );
  return rows[0].any;
}
