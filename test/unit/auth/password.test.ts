import { describe, expect, test } from 'vitest';
import { hashPassword, verifyPassword } from '../../../src/auth/password.js';

describe('scrypt password hashes', () => {
  test('a hash carries its scheme, parameters and salt, and never the password', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$32768\$8\$3\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hash).not.toContain('correct horse');
  });

  test('the same password hashes differently each time (a salt per hash)', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  test('the right password verifies, a wrong one does not', async () => {
    const hash = await hashPassword('correct horse');
    expect([await verifyPassword('correct horse', hash), await verifyPassword('correct hors', hash)]).toEqual(
      [true, false],
    );
  });

  test('a hash written with other parameters still verifies (they are read from the hash)', async () => {
    const hash = await hashPassword('pw');
    const [, , , , salt] = hash.split('$');
    const { scryptSync } = await import('node:crypto');
    const cheap = scryptSync('pw', Buffer.from(salt, 'base64'), 32, { N: 1024, r: 8, p: 1 });
    expect(await verifyPassword('pw', `scrypt$1024$8$1$${salt}$${cheap.toString('base64')}`)).toBe(true);
  });

  test('a malformed or foreign stored hash verifies nothing', async () => {
    const verdicts = await Promise.all(
      ['', 'plain', 'bcrypt$x', 'scrypt$0$8$1$AAAA$AAAA', 'scrypt$1024$8$1$AAAA$'].map((h) =>
        verifyPassword('pw', h),
      ),
    );
    expect(verdicts).toEqual([false, false, false, false, false]);
  });
});
