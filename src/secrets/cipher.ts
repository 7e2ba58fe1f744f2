import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Queryable } from '../db/database.js';

// Secrets at rest: AES-256-GCM, a fresh 12-byte IV per value, stored as `v1:` + base64(iv|tag|data).

const VERSION = 'v1:';

export class SecretCipher {
  private constructor(private readonly key: Buffer) {}

  /** A key from SLUICE_ENCRYPTION_KEY (base64 of 32 bytes, or any passphrase, hashed to 32 bytes),
   * else from `<dataDir>/encryption.key`, created with mode 0600 on first use. */
  static async load(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<SecretCipher> {
    const configured = env.SLUICE_ENCRYPTION_KEY;
    if (configured) return new SecretCipher(deriveKey(configured));
    const file = path.join(dataDir, 'encryption.key');
    try {
      return new SecretCipher(await readKeyFile(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(dataDir, { recursive: true });
    const key = randomBytes(32).toString('base64');
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(
      async (error: NodeJS.ErrnoException) => {
        // another process created it between our read and write: use theirs
        if (error.code !== 'EEXIST') throw error;
      },
    );
    await chmod(file, 0o600);
    return new SecretCipher(await readKeyFile(file));
  }

  static fromKey(key: string): SecretCipher {
    return new SecretCipher(deriveKey(key));
  }

  /** `context`, when given, is authenticated with the value (GCM's associated data): a value sealed
   * for one purpose cannot be passed off as one of another, nor the other way round. */
  encrypt(clear: string, context?: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    if (context !== undefined) cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(clear, 'utf8'), cipher.final()]);
    return VERSION + Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
  }

  decrypt(stored: string, context?: string): string {
    if (!stored.startsWith(VERSION)) throw new Error('unknown secret format');
    const raw = Buffer.from(stored.slice(VERSION.length), 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(
        'a stored secret cannot be decrypted: is SLUICE_ENCRYPTION_KEY the key it was written with?',
      );
    }
  }
}

/** The key file is refused when others may read it (as ssh refuses a private key) and when it is
 * empty: hashing an empty text would give a key anyone can compute. */
async function readKeyFile(file: string): Promise<Buffer> {
  const text = (await readFile(file, 'utf8')).trim();
  const mode = (await stat(file)).mode & 0o777;
  if (mode & 0o077) {
    throw new Error(`${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it`);
  }
  if (text === '') throw new Error(`${file} is empty: restore the key the secrets were written with`);
  return deriveKey(text);
}

/** Fails at start, rather than at the first flow that reads a secret, when the key is not the one
 * the stored secrets were written with (another machine's key file, a changed SLUICE_ENCRYPTION_KEY). */
export async function checkCipher(db: Queryable, cipher: SecretCipher): Promise<void> {
  const { rows } = await db.query<{ value: string }>('SELECT value FROM secrets LIMIT 1');
  if (rows.length > 0) cipher.decrypt(rows[0].value);
}

function deriveKey(text: string): Buffer {
  const decoded = Buffer.from(text, 'base64');
  return decoded.length === 32 && /^[A-Za-z0-9+/]+=*$/.test(text)
    ? decoded
    : createHash('sha256').update(text).digest();
}
