import { languageTasks, type Language } from './interpreted.js';
import { pythonLibraryDir } from './python-library.js';

export const PYTHON_SCRIPT_TYPE = 'io.kestra.plugin.scripts.python.Script';
export const PYTHON_COMMANDS_TYPE = 'io.kestra.plugin.scripts.python.Commands';

/** The host's python3 (Kestra's image calls it `python`, which many Linux hosts lack), unbuffered so
 * that prints reach the logs as they happen, with Kestra's `kestra` module importable. */
export const python: Language = {
  program: 'python3',
  extension: '.py',
  env: async () => ({ PYTHONPATH: await pythonLibraryDir(), PYTHONUNBUFFERED: '1' }),
};

export const pythonTasks = languageTasks(python);
