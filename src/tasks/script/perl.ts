import { languageTasks, type Language } from './interpreted.js';

export const PERL_SCRIPT_TYPE = 'io.kestra.plugin.scripts.perl.Script';
export const PERL_COMMANDS_TYPE = 'io.kestra.plugin.scripts.perl.Commands';

export const perl: Language = { program: 'perl', extension: '.pl' };

export const perlTasks = languageTasks(perl);
