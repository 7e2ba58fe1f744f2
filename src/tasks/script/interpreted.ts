import { requiredString } from './props.js';
import {
  internalFileName,
  requiredLines,
  ScriptTask,
  type ScriptTaskOptions,
  type ScriptTaskType,
  shellQuote,
} from './script-task.js';

/** A language Kestra has a script plugin for (`io.kestra.plugin.scripts.<name>.Script` / `Commands`)
 * whose interpreter is a program on the worker's PATH. */
export interface Language {
  /** the interpreter program, looked up on PATH when the task runs */
  program: string;
  /** extension of the file the Script variant writes the script to */
  extension: string;
  /** environment the interpreter needs; a variable of the same name in the flow's `env` replaces it */
  env?: () => Promise<Record<string, string>>;
}

/** Script: as in Kestra, the script is written to a file of the language's extension in the working
 * directory and run with the interpreter after beforeCommands. */
export function scriptType(language: Language): ScriptTaskType {
  return {
    props: ['script'],
    plan: async (props) => {
      const file = internalFileName(language.extension);
      return {
        files: { [file]: requiredString(props, 'script') },
        commands: [`${language.program} ${shellQuote(`./${file}`)}`],
        env: await language.env?.(),
      };
    },
  };
}

/** Commands: shell lines, with the language's environment, as Kestra runs them in its image. */
export function commandsType(language: Language): ScriptTaskType {
  return {
    props: ['commands'],
    plan: async (props) => ({ commands: requiredLines(props, 'commands'), env: await language.env?.() }),
  };
}

export function languageTasks(
  language: Language,
  options?: ScriptTaskOptions,
): { script: ScriptTask; commands: ScriptTask } {
  return {
    script: new ScriptTask(scriptType(language), options),
    commands: new ScriptTask(commandsType(language), options),
  };
}
