import { createHash } from 'node:crypto';
import type { Queryable } from '../db/database.js';
import { apiTokenId } from './api-tokens.js';
import { decoyHash, verifyPassword } from './password.js';
import { passwordHashOf } from './users.js';

export type Credentials =
  { scheme: 'basic'; name: string; password: string } | { scheme: 'bearer'; token: string };

export type Principal = { kind: 'user'; name: string } | { kind: 'token'; id: string };

/** The credentials of an Authorization header; undefined when there is none, 'malformed' when it is
 * neither `Basic base64(name:password)` nor `Bearer token`. */
export function parseAuthorization(header: string | undefined): Credentials | 'malformed' | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^(\S+)\s+(\S+)\s*$/.exec(header);
  const scheme = match?.[1].toLowerCase();
  if (!match || (scheme !== 'basic' && scheme !== 'bearer')) return 'malformed';
  if (scheme === 'bearer') return { scheme, token: match[2] };
  const decoded = Buffer.from(match[2], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return 'malformed';
  return { scheme, name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** How long a password that verified is trusted without running scrypt again. */
const VERIFIED_TTL_MS = 5 * 60_000;
const MAX_VERIFIED = 1_000;

/** Checks credentials against the users and tokens in the database. Scrypt costs tens of
 * milliseconds by design; a client sending basic credentials on every request pays it once per
 * VERIFIED_TTL_MS: what is remembered is a digest of the stored hash and the password, so a new
 * password (a new hash) is never matched by the old entry. */
export class CredentialChecker {
  private readonly verified = new Map<string, number>();
  private readonly verifying = new Map<string, Promise<boolean>>();

  constructor(private readonly db: Queryable) {}

  async principal(credentials: Credentials): Promise<Principal | undefined> {
    if (credentials.scheme === 'bearer') {
      const id = await apiTokenId(this.db, credentials.token);
      return id === undefined ? undefined : { kind: 'token', id };
    }
    const { name, password } = credentials;
    const stored = await passwordHashOf(this.db, name);
    if (stored === undefined) {
      await verifyPassword(password, await decoyHash());
      return undefined;
    }
    const key = createHash('sha256').update(stored).update('\0').update(password).digest('base64');
    const until = this.verified.get(key);
    if (until !== undefined && until > Date.now()) return { kind: 'user', name };
    if (!(await this.verifyOnce(key, password, stored))) return undefined;
    this.verified.delete(key);
    this.verified.set(key, Date.now() + VERIFIED_TTL_MS);
    if (this.verified.size > MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value!);
    return { kind: 'user', name };
  }

  /** Requests carrying the same password at once (a page's parallel calls) share one scrypt run. */
  private verifyOnce(key: string, password: string, stored: string): Promise<boolean> {
    let running = this.verifying.get(key);
    if (!running) {
      running = verifyPassword(password, stored).finally(() => this.verifying.delete(key));
      this.verifying.set(key, running);
    }
    return running;
  }
}
