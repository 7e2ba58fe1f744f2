import { Command, Option } from 'commander';
import { LOG_FORMATS } from './log-output.js';

const MODES = ['local', 'standalone', 'webserver', 'executor', 'worker', 'scheduler'] as const;
export type Mode = (typeof MODES)[number];

export interface ServerFlags {
  port?: string;
  host?: string;
  config?: string;
  threads?: string;
  workerGroup?: string;
  logFormat?: string;
}

export function serverCommand(): Command {
  const server = new Command('server').description('run Sluice components');
  const describe: Record<Mode, string> = {
    local: 'everything in one process on the embedded database (PGlite, data under SLUICE_DATA_DIR)',
    standalone: 'everything in one process against PostgreSQL (SLUICE_DATABASE_URL)',
    webserver: 'the HTTP API only',
    executor: 'the executor only',
    worker: 'a worker only',
    scheduler: 'the scheduler only',
  };
  for (const mode of MODES) {
    server
      .command(mode)
      .description(describe[mode])
      .option('--port <port>', 'HTTP port (default 8080)')
      .option('--host <host>', 'address to bind (default 127.0.0.1)')
      .option('--config <file>', 'configuration file (YAML)')
      .option('--threads <n>', 'worker: task runs at once')
      .option('--worker-group <key>', 'worker: serve only tasks whose workerGroup.key is this')
      .addOption(
        new Option(
          '--log-format <format>',
          'readable lines or JSON lines (default: readable on a terminal, JSON otherwise; SLUICE_LOG_FORMAT)',
        ).choices(LOG_FORMATS),
      )
      .action(async (flags: ServerFlags) => {
        const { runServer } = await import('./server-run.js');
        await runServer(mode, flags);
      });
  }
  return server;
}
