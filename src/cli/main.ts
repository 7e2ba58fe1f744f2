import { Command } from 'commander';
import { version } from '../version.js';
import { connectorCommand } from './connector-command.js';
import { dbCommand } from './db-command.js';
import { EXIT_INVALID } from './exit-codes.js';
import { flowCommand } from './flow-command.js';
import { namespaceCommand } from './namespace-command.js';
import { secretCommand } from './secret-command.js';
import { serverCommand } from './server-command.js';
import { tokenCommand } from './token-command.js';
import { userCommand } from './user-command.js';

const program = new Command()
  .name('sluice')
  .description('Data movement and workflow orchestration: Kestra-style flows and Airbyte-protocol syncs')
  .version(version)
  .showHelpAfterError();

program.addCommand(flowCommand());
program.addCommand(serverCommand());
program.addCommand(dbCommand());
program.addCommand(secretCommand());
program.addCommand(namespaceCommand());
program.addCommand(connectorCommand());
program.addCommand(userCommand());
program.addCommand(tokenCommand());

// A usage mistake (unknown option, missing argument, unknown command) is invalid input: exit 2, as the
// contract says for `flow run` and `flow validate`, instead of commander's 1, which `flow run` uses for
// a flow that ran and failed. Commands built with addCommand() do not inherit the setting: set it on all.
const usageErrorsExitInvalid = (command: Command): void => {
  command.exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_INVALID));
  for (const sub of command.commands) usageErrorsExitInvalid(sub);
};
usageErrorsExitInvalid(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`sluice: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
