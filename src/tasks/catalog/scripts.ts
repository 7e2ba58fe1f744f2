// Script tasks: shell, Node.js, Python and Perl, as commands or as one script, run in a working directory of their own.
import { z } from 'zod';
import { boolOrExpression, expecting, listOr, looseMap, stringMap, text } from '../../flow/schemas.js';
import { runnable } from './define.js';

/** A list of strings; one string (often an expression that renders to a list) is accepted too. */
const lines = () => listOr(z.array(text()).min(1), text());

const common = {
  beforeCommands: lines().optional(),
  env: stringMap().optional(),
  interpreter: lines().optional(),
  outputFiles: lines().optional(),
  inputFiles: z.union([z.record(z.string(), text()), z.string()], expecting('a map of files')).optional(),
  namespaceFiles: looseMap().optional(),
  containerImage: text().optional(),
  // container settings: accepted so that Kestra flows load, though scripts run as local processes
  taskRunner: looseMap().optional(),
  docker: looseMap().optional(),
  warningOnStdErr: boolOrExpression().optional(),
  // Kestra's failFast (default true): false drops the `set -e` the script tasks put before the lines
  failFast: boolOrExpression().optional(),
  targetOS: z.enum(['LINUX', 'WINDOWS', 'AUTO']).optional(),
};

export const scriptTasks = [
  runnable({
    type: 'io.kestra.plugin.scripts.shell.Commands',
    shortName: 'shell',
    description: 'Runs shell commands.',
    properties: z.strictObject({ commands: lines(), ...common }),
  }),
  runnable({
    type: 'io.kestra.plugin.scripts.shell.Script',
    shortName: 'shell-script',
    description: 'Runs a shell script.',
    properties: z.strictObject({ script: text(), ...common }),
  }),
  runnable({
    type: 'io.kestra.plugin.scripts.node.Script',
    shortName: 'node',
    description: 'Runs a Node.js script.',
    properties: z.strictObject({ script: text(), ...common }),
  }),
  runnable({
    type: 'io.kestra.plugin.scripts.node.Commands',
    shortName: 'node-commands',
    description: 'Runs commands in a Node.js environment.',
    properties: z.strictObject({ commands: lines(), ...common }),
  }),
  runnable({
    type: 'io.kestra.plugin.scripts.python.Script',
    shortName: 'python',
    description: "Runs a Python script with the host's python3.",
    properties: z.strictObject({ script: text(), ...common }),
  }),
  runnable({
    type: 'io.kestra.plugin.scripts.python.Commands',
    shortName: 'python-commands',
    description: 'Runs shell commands in a Python environment.',
    properties: z.strictObject({ commands: lines(), ...common }),
  }),
  runnable({
    type: 'io.kestra.plugin.scripts.perl.Script',
    shortName: 'perl',
    description: 'Runs a Perl script.',
    properties: z.strictObject({ script: text(), ...common }),
  }),
  runnable({
    type: 'io.kestra.plugin.scripts.perl.Commands',
    shortName: 'perl-commands',
    description: 'Runs shell commands in a Perl environment.',
    properties: z.strictObject({ commands: lines(), ...common }),
  }),
];
