import { Command } from 'commander';
import { readStdin } from './secret-command.js';

// People who log in to the API with HTTP basic, kept in the configured database.

/** The database the server of this configuration uses: SLUICE_DATABASE_URL, else the embedded one. */
export async function openConfiguredDatabase(configFile?: string) {
  const { loadConfig } = await import('../config/config.js');
  const { openDatabase } = await import('../db/open.js');
  const config = loadConfig({ configFile });
  return openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/db` });
}

export function userCommand(): Command {
  const user = new Command('user').description('manage the people who log in to the API');
  user
    .command('add')
    .description('add a user; the password is read from stdin')
    .argument('<name>')
    .option('--replace', 'set a new password when the user exists')
    .option('--config <file>', 'configuration file (YAML)')
    .action(async (name: string, opts: { replace?: boolean; config?: string }) => {
      const { saveUser } = await import('../auth/users.js');
      const password = await readStdin();
      const db = await openConfiguredDatabase(opts.config);
      try {
        const created = await saveUser(db, name, password, { replace: opts.replace });
        process.stdout.write(created ? `user ${name} added\n` : `password of ${name} replaced\n`);
      } finally {
        await db.close();
      }
    });
  user
    .command('list')
    .description('list the user names')
    .option('--config <file>', 'configuration file (YAML)')
    .action(async (opts: { config?: string }) => {
      const { userNames } = await import('../auth/users.js');
      const db = await openConfiguredDatabase(opts.config);
      try {
        for (const name of await userNames(db)) process.stdout.write(`${name}\n`);
      } finally {
        await db.close();
      }
    });
  user
    .command('delete')
    .description('delete a user')
    .argument('<name>')
    .option('--config <file>', 'configuration file (YAML)')
    .action(async (name: string, opts: { config?: string }) => {
      const { deleteUser } = await import('../auth/users.js');
      const db = await openConfiguredDatabase(opts.config);
      const deleted = await deleteUser(db, name).finally(() => db.close());
      if (!deleted) throw new Error(`no user ${name}`);
    });
  return user;
}
