import { requiredLines, ScriptTask, type ScriptTaskOptions, type ScriptTaskType } from './script-task.js';

export const SHELL_COMMANDS_TYPE = 'io.kestra.plugin.scripts.shell.Commands';

export const shellCommandsType: ScriptTaskType = {
  props: ['commands'],
  plan: (props) => ({ commands: requiredLines(props, 'commands') }),
};

export function createShellCommands(options?: ScriptTaskOptions): ScriptTask {
  return new ScriptTask(shellCommandsType, options);
}

export const shellCommands = createShellCommands();
