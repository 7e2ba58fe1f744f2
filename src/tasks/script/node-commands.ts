import {
  nodeBinDir,
  requiredLines,
  ScriptTask,
  type ScriptTaskOptions,
  type ScriptTaskType,
} from './script-task.js';

export const NODE_COMMANDS_TYPE = 'io.kestra.plugin.scripts.node.Commands';

/** Shell commands with the worker's own Node first on PATH, so `node`, `npm` and `npx` are that Node. */
export const nodeCommandsType: ScriptTaskType = {
  props: ['commands'],
  plan: (props) => ({ commands: requiredLines(props, 'commands'), pathPrefix: [nodeBinDir] }),
};

export function createNodeCommands(options?: ScriptTaskOptions): ScriptTask {
  return new ScriptTask(nodeCommandsType, options);
}

export const nodeCommands = createNodeCommands();
