import { Command } from 'commander';
import { BUILT_IN_CONNECTORS, runBuiltIn } from '../connectors/registry.js';

// `sluice connector source-faker read --config F --catalog F` is itself an Airbyte connector: the
// arguments after the connector's name go to the cdk untouched, which parses them as Airbyte does and
// reports a mistake as a TRACE error on stdout (exit 1) rather than as a usage error of sluice's.

/** The connector definitions registered through the API (`POST /api/v1/connector_definitions`). */
async function listRegistered(configFile: string): Promise<void> {
  const { loadConfig } = await import('../config/config.js');
  const { openDatabase } = await import('../db/open.js');
  const { listDefinitions } = await import('../db/actor-repository.js');
  const config = loadConfig({ configFile });
  const db = await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/db` });
  try {
    for (const d of await listDefinitions(db)) {
      const what = d.manifest
        ? 'registered declarative manifest'
        : `registered command: ${d.command.join(' ')}`;
      process.stdout.write(`${d.kind}-${d.name}\t${d.kind}\t${what}\n`);
    }
  } finally {
    await db.close();
  }
}

export function connectorCommand(): Command {
  const connector = new Command('connector').description('the built-in Airbyte connectors');

  connector
    .command('list')
    .description('print the built-in connectors; with --config, the ones registered in its database too')
    .option('--config <file>', 'configuration file (YAML) whose database holds registered definitions')
    .action(async (opts: { config?: string }) => {
      for (const c of BUILT_IN_CONNECTORS) process.stdout.write(`${c.name}\t${c.kind}\t${c.description}\n`);
      if (opts.config) await listRegistered(opts.config);
    });

  for (const builtIn of BUILT_IN_CONNECTORS) {
    connector
      .command(builtIn.name)
      .description(
        `${builtIn.description} (spec | check | discover | read${builtIn.kind === 'destination' ? ' | write' : ''})`,
      )
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument('[args...]', 'an Airbyte command and its --config, --catalog, --state files')
      .action(async (args: string[]) => {
        process.exitCode = await runBuiltIn(builtIn, args);
      });
  }
  return connector;
}
