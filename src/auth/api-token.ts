import { createHash, randomBytes } from 'node:crypto';

// A bearer token is 32 random bytes; only its SHA-256 is stored. With that much entropy a fast hash
// is enough (no dictionary to guess from), and it lets a request find its token by an indexed lookup.

const PREFIX = 'sluice_';

export function newApiToken(): { token: string; hash: string } {
  const token = PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashApiToken(token) };
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
