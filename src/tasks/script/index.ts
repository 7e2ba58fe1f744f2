import type { RunnableTask } from '../types.js';
import { NODE_COMMANDS_TYPE, nodeCommands } from './node-commands.js';
import { NODE_SCRIPT_TYPE, nodeScript } from './node-script.js';
import { PERL_COMMANDS_TYPE, PERL_SCRIPT_TYPE, perlTasks } from './perl.js';
import { PYTHON_COMMANDS_TYPE, PYTHON_SCRIPT_TYPE, pythonTasks } from './python.js';
import { SHELL_COMMANDS_TYPE, shellCommands } from './shell-commands.js';
import { SHELL_SCRIPT_TYPE, shellScript } from './shell-script.js';

/** The script task types by Kestra type name, for the worker's registry. */
export const scriptRunnables: Readonly<Record<string, RunnableTask>> = {
  [SHELL_COMMANDS_TYPE]: shellCommands,
  [SHELL_SCRIPT_TYPE]: shellScript,
  [NODE_COMMANDS_TYPE]: nodeCommands,
  [NODE_SCRIPT_TYPE]: nodeScript,
  [PYTHON_SCRIPT_TYPE]: pythonTasks.script,
  [PYTHON_COMMANDS_TYPE]: pythonTasks.commands,
  [PERL_SCRIPT_TYPE]: perlTasks.script,
  [PERL_COMMANDS_TYPE]: perlTasks.commands,
};
