import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { SecretCipher } from '../../../src/secrets/cipher.js';

async function keyFile(content: string, mode: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-key-'));
  await writeFile(path.join(dir, 'encryption.key'), content);
  await chmod(path.join(dir, 'encryption.key'), mode);
  return dir;
}

test('a key file others may read is refused, saying how to fix it', async () => {
  const dir = await keyFile('some-key\n', 0o644);
  await expect(SecretCipher.load(dir, {})).rejects.toThrow(/readable by others \(mode 644\): chmod 600/);
});

test('an empty key file is refused rather than hashed into a key anyone can compute', async () => {
  const dir = await keyFile('\n', 0o600);
  await expect(SecretCipher.load(dir, {})).rejects.toThrow(/encryption\.key is empty/);
});
