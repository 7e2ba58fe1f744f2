import { requiredString } from './props.js';
import {
  internalFileName,
  nodeBinDir,
  ScriptTask,
  type ScriptTaskOptions,
  type ScriptTaskType,
  shellQuote,
} from './script-task.js';

export const NODE_SCRIPT_TYPE = 'io.kestra.plugin.scripts.node.Script';

/** The script is written to a `.js` file and run by the worker's Node after beforeCommands, as Kestra
 * does. A `.js` file is CommonJS (Kestra's examples use require) unless it uses import/export, which
 * Node ≥ 20.19 detects and then runs it as an ES module; the working directory is fresh and holds no
 * package.json to say otherwise (one above it, with "type", would). */
export const nodeScriptType: ScriptTaskType = {
  props: ['script'],
  plan: (props) => {
    const file = internalFileName('.js');
    return {
      files: { [file]: requiredString(props, 'script') },
      commands: [`${shellQuote(process.execPath)} ${shellQuote(`./${file}`)}`],
      pathPrefix: [nodeBinDir],
      nodeMain: file,
    };
  },
};

export function createNodeScript(options?: ScriptTaskOptions): ScriptTask {
  return new ScriptTask(nodeScriptType, options);
}

export const nodeScript = createNodeScript();
