import { Command } from 'commander';

export function dbCommand(): Command {
  const db = new Command('db').description('database administration');
  db.command('migrate')
    .description(
      'create or upgrade the schema of the configured database (SLUICE_DATABASE_URL, else the embedded one)',
    )
    .option('--config <file>', 'configuration file (YAML)')
    .action(async (opts: { config?: string }) => {
      const { loadConfig } = await import('../config/config.js');
      const { migrate } = await import('../db/migrate.js');
      const { openDatabase } = await import('../db/open.js');
      const config = loadConfig({ configFile: opts.config });
      const database = await openDatabase({
        url: config.databaseUrl,
        dataDir: `${config.dataDir}/db`,
        migrate: false,
      });
      const applied = await migrate(database);
      process.stdout.write(
        applied.length === 0
          ? 'schema is up to date\n'
          : `applied ${applied.map((m) => `${String(m.id).padStart(4, '0')}_${m.name}`).join(', ')}\n`,
      );
      await database.close();
    });
  return db;
}
