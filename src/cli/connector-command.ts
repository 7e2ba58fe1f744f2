import { Command } from 'commander';
import { BUILT_IN_CONNECTORS, runBuiltIn } from '../connectors/registry.js';

// `sluice connector source-faker read --config F --catalog F` is itself an Airbyte connector: the
// arguments after the connector's name go to the cdk untouched, which parses them as Airbyte does and
// reports a mistake as a TRACE error on stdout (exit 1) rather than as a usage error of sluice's.

export function connectorCommand(): Command {
  const connector = new Command('connector').description('the built-in Airbyte connectors');

  connector
    .command('list')
    .description('print the built-in connectors')
    .action(() => {
      for (const c of BUILT_IN_CONNECTORS) process.stdout.write(`${c.name}\t${c.kind}\t${c.description}\n`);
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
