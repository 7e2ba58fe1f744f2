import type { RunnableTask } from '../types.js';
import { NODE_COMMANDS_TYPE, nodeCommands } from './node-commands.js';
import { NODE_SCRIPT_TYPE, nodeScript } from './node-script.js';
import { SHELL_COMMANDS_TYPE, shellCommands } from './shell-commands.js';
import { SHELL_SCRIPT_TYPE, shellScript } from './shell-script.js';

/** The script task types by Kestra type name, for the worker's registry. */
export const scriptRunnables: Readonly<Record<string, RunnableTask>> = {
  [SHELL_COMMANDS_TYPE]: shellCommands,
  [SHELL_SCRIPT_TYPE]: shellScript,
  [NODE_COMMANDS_TYPE]: nodeCommands,
  [NODE_SCRIPT_TYPE]: nodeScript,
};
