import { Command } from 'commander';

// Secrets for secret() in flows, per namespace, encrypted at rest in the configured database.

async function openStore(configFile?: string) {
  const { loadConfig } = await import('../config/config.js');
  const { openDatabase } = await import('../db/open.js');
  const { SecretCipher } = await import('../secrets/cipher.js');
  const { createSecretStore } = await import('../secrets/secret-store.js');
  const config = loadConfig({ configFile });
  const db = await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/db` });
  return { db, store: createSecretStore(db, await SecretCipher.load(config.dataDir)) };
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // one trailing newline is how `echo` and here-strings end; it is not part of the secret
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function secretCommand(): Command {
  const secret = new Command('secret').description('manage secrets read by secret() in flows');
  secret
    .command('set')
    .description('store a secret for a namespace (and its child namespaces); the value is read from stdin')
    .argument('<namespace>')
    .argument('<key>')
    .option('--config <file>', 'configuration file (YAML)')
    .action(async (namespace: string, key: string, opts: { config?: string }) => {
      const value = await readStdin();
      if (value === '') throw new Error('no value on stdin');
      const { db, store } = await openStore(opts.config);
      await store.set(namespace, key, value);
      await db.close();
      process.stdout.write(`secret ${key} stored for ${namespace}\n`);
    });
  secret
    .command('list')
    .description('list the secret keys of a namespace (never the values)')
    .argument('<namespace>')
    .option('--config <file>', 'configuration file (YAML)')
    .action(async (namespace: string, opts: { config?: string }) => {
      const { db, store } = await openStore(opts.config);
      for (const key of await store.keys(namespace)) process.stdout.write(`${key}\n`);
      await db.close();
    });
  secret
    .command('delete')
    .description('delete a secret')
    .argument('<namespace>')
    .argument('<key>')
    .option('--config <file>', 'configuration file (YAML)')
    .action(async (namespace: string, key: string, opts: { config?: string }) => {
      const { db, store } = await openStore(opts.config);
      const deleted = await store.delete(namespace, key);
      await db.close();
      if (!deleted) throw new Error(`no secret ${key} in ${namespace}`);
    });
  return secret;
}
