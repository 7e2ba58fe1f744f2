import { Command } from 'commander';
import { openConfiguredDatabase } from './user-command.js';

// Bearer tokens for programs that call the API, kept (as hashes) in the configured database.

export function tokenCommand(): Command {
  const token = new Command('token').description('manage the bearer tokens programs call the API with');
  token
    .command('create')
    .description('create a token and print it alone on stdout: it is shown this once')
    .option('--name <name>', 'what the token is for (shown by token list)')
    .option('--expires-in <duration>', 'ISO-8601 duration after which it stops working, e.g. P90D')
    .option('--config <file>', 'configuration file (YAML)')
    .action(async (opts: { name?: string; expiresIn?: string; config?: string }) => {
      const { parseDuration } = await import('../flow/duration.js');
      const { createApiToken } = await import('../auth/api-tokens.js');
      const expiresInMs = opts.expiresIn === undefined ? undefined : parseDuration(opts.expiresIn);
      const db = await openConfiguredDatabase(opts.config);
      try {
        const created = await createApiToken(db, { name: opts.name, expiresInMs });
        process.stdout.write(`${created.token}\n`);
      } finally {
        await db.close();
      }
    });
  token
    .command('list')
    .description('list the tokens (id, name, created, last used, expires), never the tokens themselves')
    .option('--config <file>', 'configuration file (YAML)')
    .action(async (opts: { config?: string }) => {
      const { listApiTokens } = await import('../auth/api-tokens.js');
      const db = await openConfiguredDatabase(opts.config);
      try {
        for (const t of await listApiTokens(db)) {
          const fields = [t.id, t.name, t.created, t.lastUsed ?? '-', t.expires ?? '-'];
          process.stdout.write(`${fields.join('\t')}\n`);
        }
      } finally {
        await db.close();
      }
    });
  token
    .command('revoke')
    .description('revoke a token by its id (from token list)')
    .argument('<id>')
    .option('--config <file>', 'configuration file (YAML)')
    .action(async (id: string, opts: { config?: string }) => {
      const { revokeApiToken } = await import('../auth/api-tokens.js');
      const db = await openConfiguredDatabase(opts.config);
      const revoked = await revokeApiToken(db, id).finally(() => db.close());
      if (!revoked) throw new Error(`no token ${id}`);
    });
  return token;
}
