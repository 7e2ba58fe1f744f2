import { Command } from 'commander';

// Commands only declare themselves here; each action imports its implementation when it runs, so
// `flow validate` never loads the database and `flow run` never loads the HTTP server.

export function flowCommand(): Command {
  const flow = new Command('flow').description('validate and run flows');

  flow
    .command('validate')
    .description('check flow files; prints file:line:col: message for every mistake (exit 2 if any)')
    .argument('<files...>', 'flow YAML files')
    .action(async (files: string[]) => {
      const { validateFlows } = await import('./flow-validate.js');
      process.exitCode = await validateFlows(files);
    });

  flow
    .command('run')
    .description('run one execution of a flow on an ephemeral embedded engine and wait for it to end')
    .argument('<file>', 'flow YAML file')
    .option('--flows <dir>', 'deploy every flow in this directory first (subflows)')
    .option('--input <key=value>', 'an input value (repeatable)', collect, [])
    .option('--json', 'print the execution document as JSON')
    .action(async (file: string, opts: { flows?: string; input: string[]; json?: boolean }) => {
      // The database starts first: PGlite compiles its WASM on a background thread, which then
      // overlaps with loading the engine's modules and the flow files on this one.
      const database = import('../db/open.js').then((m) => m.openEphemeralDatabase());
      database.catch(() => {});
      const { runFlow } = await import('./flow-run.js');
      process.exitCode = await runFlow(file, opts, database);
      // nothing in the ephemeral engine needs an orderly close; exiting now saves the WASM teardown
      process.exit();
    });
  return flow;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
