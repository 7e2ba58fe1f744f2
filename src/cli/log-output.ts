// How a server prints its own log: readable lines (time, level, component, message) for a person at a
// terminal, JSON lines for a pipe or a log collector, as pino's users expect (pino-pretty is pino's
// own formatter). `--log-format` or SLUICE_LOG_FORMAT choose; otherwise the terminal decides.
import pino from 'pino';
import pretty from 'pino-pretty';

export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function chooseLogFormat(
  flag: string | undefined,
  env: string | undefined = process.env.SLUICE_LOG_FORMAT,
  terminal: boolean = process.stdout.isTTY === true,
): LogFormat {
  const asked = flag ?? (env || undefined);
  if (asked === undefined) return terminal ? 'pretty' : 'json';
  if (!(LOG_FORMATS as readonly string[]).includes(asked)) {
    throw new Error(`unknown log format '${asked}' (SLUICE_LOG_FORMAT): expected pretty or json`);
  }
  return asked as LogFormat;
}

export function createProcessLogger(name: string, format: LogFormat): pino.Logger {
  if (format === 'json') return pino({ name });
  return pino(
    { name },
    pretty({
      colorize: process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      // written before the process exits on a fatal error, as pino's own destination is
      sync: true,
    }),
  );
}
