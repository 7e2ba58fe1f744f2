import { requiredString } from './props.js';
import { ScriptTask, type ScriptTaskOptions, type ScriptTaskType } from './script-task.js';

export const SHELL_SCRIPT_TYPE = 'io.kestra.plugin.scripts.shell.Script';

/** As in Kestra, the script is handed to the interpreter after beforeCommands, like one more command. */
export const shellScriptType: ScriptTaskType = {
  props: ['script'],
  plan: (props) => ({ commands: [requiredString(props, 'script')] }),
};

export function createShellScript(options?: ScriptTaskOptions): ScriptTask {
  return new ScriptTask(shellScriptType, options);
}

export const shellScript = createShellScript();
